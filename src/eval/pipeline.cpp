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

// 1F1B: m micro-batches plus a bubble of (pp-1)/vpp micro-batch times (Narayanan et al. 2021,
// sec. 2.2).
double pipeline_bubble(const workload::Execution& e, double per_micro_batch) { return (e.pp - 1.0) / e.vpp * per_micro_batch; }

}  // namespace rackscope::eval
