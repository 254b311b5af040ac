// evaluate(): the list of steps; each step's physics is in its own file (see step_parts.hpp).
#include "eval/evaluate.hpp"

#include <algorithm>

#include "eval/step_parts.hpp"
#include "units/check.hpp"
#include "workload/memory.hpp"

namespace rackscope::eval {
using workload::Execution;
using workload::ModelSpec;

namespace {
// Rank 0's group lies in its rack when its highest endpoint does.
bool in_one_rack(const collective::GroupShape& g, int span) { return g.last_rank() < span; }

// The compute share a point-to-point exchange of rank 0's group takes: over the network, the
// runtime's per-peer channels; inside a rack, as a collective.
double p2p_share(const hw::CollectiveRuntime& rt, const collective::GroupShape& g, int span) {
  return in_one_rack(g, span) ? rt.overlap_compute_share : rt.overlap_network_p2p_share;
}

StepContext context(const System& sys, const Execution& e, int seq, int micro_batches) {
  const hw::Chip& chip = sys.fabric.spec().rack.chip;
  const int span = sys.fabric.chips_per_rack() * chip.ranks_per_chip;
  const workload::PlacementShapes place = workload::place_shapes(e, span);
  const double peak = precision_flops(chip, e.precision);
  RACKSCOPE_ASSERT(peak > 0, "check_structure() refuses a precision the chip has no rate for");
  // Siblings of a communicator contend where they share its rack (its chips' ports, the rack's NICs).
  return StepContext{chip,
                     sys.profile,
                     peak,
                     rank_rates(chip, e.precision, attention_precision(e)),
                     sys.fabric.endpoints(),
                     seq,
                     micro_batches,
                     e.micro_batch * static_cast<double>(seq) / e.cp,
                     place,
                     in_one_rack(place.tp, span),
                     chip.collectives.overlap_compute_share,
                     p2p_share(chip.collectives, place.cp, span),
                     p2p_share(chip.collectives, place.pp_pair, span)};
}
}  // namespace

Report evaluate(const System& sys, const ModelSpec& m, const Execution& e) {
  const hw::Chip& chip = sys.fabric.spec().rack.chip;
  const int seq = e.seq > 0 ? e.seq : m.seq;
  if (Report bad = check_structure(m, e, sys.fabric.endpoints(), seq, chip); !bad.feasible()) return bad;
  const int micro_batches = e.global_batch / (e.dp * e.micro_batch);
  Report rep = check_memory(m, e, seq, sys.profile.flash_attention, micro_batches, chip);
  if (!rep.feasible()) return rep;

  const StepContext c = context(sys, e, seq, micro_batches);
  Communicators comm(sys.planner, chip.collectives);
  const StageTimes stage = slowest_stage(c, m, e, comm);
  const double pp_s = pipeline_send_time(c, m, e, comm);
  // The first stage holds the most parameters (its layers are at least the last's, and the
  // embedding) in an even split; uneven layouts may put them elsewhere.
  const workload::RankParams params = workload::max_stage_params_per_rank(m, e);
  const DataParallelTimes dp = data_parallel_time(c, e, stage, params, comm);
  if (!comm.all_planned()) return infeasible(workload::Infeasibility::collective_unplanned, comm.unplanned_detail());

  StepTerms t;
  t.compute = stage.compute * micro_batches;
  t.recompute = stage.recompute * micro_batches;
  t.tp = stage.tp * micro_batches;
  t.cp = stage.cp * micro_batches;
  t.ep = stage.ep * micro_batches;
  t.pp = pipeline_send_exposed(c, e, stage, pp_s) * micro_batches;
  t.bubble = pipeline_bubble(e, stage, pp_s);
  t.dp = dp.dp + dp.zero3;
  t.optimizer = optimizer_time(c, e, params);
  t.overhead = sys.profile.step_overhead_s;
  add_breakdown(rep, t);
  rep.compute_split.add(stage.split, micro_batches);
  account_flops(rep, c, m, e);
  return rep;
}

}  // namespace rackscope::eval
