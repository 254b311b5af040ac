// Data parallelism and ZeRO: gradients reduced once per step (all-reduce; reduce-scatter +
// parameter all-gather with ZeRO 1/2); ZeRO-3 gathers parameters per layer per micro-batch and
// reduce-scatters gradients (Rajbhandari et al. 2020, sec. 5).
#include "eval/step_parts.hpp"
#include "workload/memory.hpp"

namespace rackscope::eval {
using collective::Op;

namespace {
// ZeRO-3: per layer per micro-batch, the parameters gathered forward and backward and the
// gradients reduce-scattered, behind the layer's compute when the framework prefetches.
double zero3_time(const StepContext& c, const workload::Execution& e, const StageTimes& stage, double params, Communicators& comm) {
  const workload::StateBytes state;
  const double per_layer = params / stage.layers * state.weights;
  const double gather = comm.time(Op::allgather, c.place.dp, per_layer);
  const double rs = comm.time(Op::reducescatter, c.place.dp, params / stage.layers * state.gradients);
  const double window = (stage.compute + stage.recompute) / stage.layers;
  const double exposed = e.overlap_param_gather ? exposed_behind(2 * gather + rs, window, c.share) : 2 * gather + rs;
  return exposed * stage.layers * c.micro_batches;
}
}  // namespace

DataParallelTimes data_parallel_time(const StepContext& c, const workload::Execution& e, const StageTimes& stage, double params,
                                     Communicators& comm) {
  DataParallelTimes t;
  if (e.dp < 2) return t;
  const workload::StateBytes state;
  const double grads = params * state.gradients;
  if (e.zero == 0) t.dp = comm.time(Op::allreduce, c.place.dp, grads);
  else if (e.zero <= 2) t.dp = comm.time(Op::reducescatter, c.place.dp, grads) + comm.time(Op::allgather, c.place.dp, params * state.weights);
  else t.zero3 = zero3_time(c, e, stage, params, comm);
  // Overlapped with the backward of the last micro-batch when the framework does so.
  if (e.overlap_dp) t.dp = exposed_behind(t.dp, stage.last_layer_bwd * stage.layers, c.share);
  return t;
}

}  // namespace rackscope::eval
