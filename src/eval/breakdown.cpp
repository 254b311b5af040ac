// The step time as the sum of its terms, and which term dominates.
#include "eval/step_parts.hpp"

namespace rackscope::eval {

void add_breakdown(Report& rep, const StepTerms& t) {
  Breakdown& b = rep.breakdown;
  b[Term::compute] = t.compute;
  b[Term::recompute] = t.recompute;
  b[Term::tp_comm] = t.tp;
  b[Term::cp_comm] = t.cp;
  b[Term::ep_comm] = t.ep;
  b[Term::pp_comm] = t.pp;
  b[Term::pp_bubble] = t.bubble;
  b[Term::dp_comm] = t.dp;
  b[Term::optimizer] = t.optimizer;
  b[Term::overhead] = t.overhead;
  rep.step_time_s = 0;
  double worst = -1;
  for (std::size_t i = 0; i < term_count; ++i) {
    rep.step_time_s += b.s[i];
    if (b.s[i] > worst) worst = b.s[i], rep.dominant = term_at(i);
  }
}

}  // namespace rackscope::eval
