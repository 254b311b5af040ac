// Pipeline parallelism: activation sends between stages and the 1F1B bubble.
#include "eval/step_parts.hpp"
#include "workload/numerics.hpp"

namespace rackscope::eval {

// Each micro-batch crosses each stage boundary forward and backward (once per model chunk when
// interleaved); with sequence parallelism only the local 1/tp of the activations is sent.
double pipeline_send_time(const StepContext& c, const workload::ModelSpec& m, const workload::Execution& e, Communicators& comm) {
  if (e.pp < 2) return 0;
  const double bytes = c.tokens * m.hidden * workload::activation_bytes / (e.sequence_parallel ? e.tp : 1);
  return 2.0 * e.vpp * comm.time(collective::Op::sendrecv, c.place.pp_pair, bytes);
}

// 1F1B: m micro-batches at the slowest stage's pace plus the fill and drain through every other
// stage once: a step of (m - 1) t_max + Σ t_i for stages taking t_i per micro-batch, which is
// (pp-1)/vpp micro-batch times when the stages are alike (Narayanan et al. 2021, sec. 2.2);
// interleaved, each stage adds its largest model chunk rather than all of it.
double pipeline_bubble(const workload::Execution& e, const StageTimes& stage, double send) {
  return stage.fill + (e.pp - 1.0) / e.vpp * send;
}

}  // namespace rackscope::eval
