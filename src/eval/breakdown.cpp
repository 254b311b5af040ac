// The step time as the sum of its terms, and which term dominates.
#include "eval/step_parts.hpp"

namespace rackscope::eval {

void add_breakdown(Report& rep, const StepTerms& t) {
  rep.breakdown = {
      {"compute", t.compute}, {"recompute", t.recompute}, {"tp_comm", t.tp},       {"cp_comm", t.cp},
      {"ep_comm", t.ep},      {"pp_comm", t.pp},          {"pp_bubble", t.bubble}, {"dp_comm", t.dp},
      {"optimizer", t.optimizer}, {"overhead", t.overhead},
  };
  rep.step_time_s = 0;
  double worst = -1;
  for (const auto& [name, s] : rep.breakdown) {
    rep.step_time_s += s;
    if (s > worst) worst = s, rep.dominant = name;
  }
}

}  // namespace rackscope::eval
