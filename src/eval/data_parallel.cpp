// Data parallelism and ZeRO: gradients reduced once per step (all-reduce; reduce-scatter +
// parameter all-gather with ZeRO 1/2), each in buckets that overlap the backward and the next
// forward; ZeRO-3 gathers parameters per layer per micro-batch and reduce-scatters gradients
// (Rajbhandari et al. 2020, sec. 5). Gradients travel in the recipe's gradient dtype, parameters
// in the weights' (workload::state_bytes).
#include <algorithm>
#include <cmath>

#include "eval/step_parts.hpp"
#include "workload/memory.hpp"

namespace rackscope::eval {
using collective::Op;

double bucketed_exposed(double comm, double window, int buckets, double share) {
  const double n = buckets;
  const double finish = std::max(window / n + comm, window + comm / n);
  return std::max(finish - window, share * comm);
}

int dp_buckets(const workload::Execution& e, double params) {
  // Megatron-LM's DistributedDataParallelConfig: bucket_size None -> max(40M, 1M x the size of the
  // data-parallel group with context parallelism) parameters.
  const double size = e.dp_bucket_params > 0 ? e.dp_bucket_params : std::max(40e6, 1e6 * workload::param_replicas(e));
  return std::max(1, static_cast<int>(std::ceil(params / size)));
}

namespace {
// Seconds of `op` over the rank's parameters (or gradients) at `bytes_per_param`, cut in `parts`
// equal pieces each run alone: the dense parameters over the DP group, the experts' over the
// ranks holding the same experts (their own buffers in Megatron-Core).
double split_by_group(const StepContext& c, const workload::Execution& e, Op op, const workload::RankParams& p,
                      double bytes_per_param, double parts, Communicators& comm) {
  const double dense = (p.all - p.experts) * bytes_per_param, experts = p.experts * bytes_per_param;
  const bool expert_group = experts > 0 && workload::expert_replicas(e) > 1;
  return parts * (comm.time(op, c.place.dp, dense / parts) + (expert_group ? comm.time(op, c.place.edp, experts / parts) : 0));
}

// ZeRO-3: per layer per micro-batch, the parameters gathered forward and backward and the
// gradients reduce-scattered, behind the layer's compute when the framework prefetches.
double zero3_time(const StepContext& c, const workload::Execution& e, const StageTimes& stage, const workload::RankParams& params,
                  Communicators& comm) {
  const workload::StateBytes state = workload::state_bytes(e);
  const double layers = stage.layers;  // one layer's share of the bytes each time
  const double gather = split_by_group(c, e, Op::allgather, params, state.weights / layers, 1, comm);
  const double rs = split_by_group(c, e, Op::reducescatter, params, state.gradients / layers, 1, comm);
  const double window = (stage.compute + stage.recompute) / stage.layers;
  const double exposed = e.overlap_param_gather ? exposed_behind(2 * gather + rs, window, c.share) : 2 * gather + rs;
  return exposed * stage.layers * c.micro_batches;
}

// What stays exposed of `op` over the rank's gradients (or parameters) at `bytes_per_param` in
// `n` buckets, one after another, filled (or needed) evenly across `window`; not overlapped, one
// collective over the whole contiguous buffer after the window (Megatron-LM's DDP without
// overlap_grad_reduce).
double buckets_exposed(const StepContext& c, const workload::Execution& e, Op op, const workload::RankParams& p,
                       double bytes_per_param, int n, double window, bool overlap, Communicators& comm) {
  if (!overlap) return split_by_group(c, e, op, p, bytes_per_param, 1, comm);
  return bucketed_exposed(split_by_group(c, e, op, p, bytes_per_param, n, comm), window, n, c.share);
}
}  // namespace

DataParallelTimes data_parallel_time(const StepContext& c, const workload::Execution& e, const StageTimes& stage,
                                     const workload::RankParams& params, Communicators& comm) {
  DataParallelTimes t;
  if (workload::param_replicas(e) < 2) return t;  // context-parallel ranks sum their gradients too
  if (e.zero >= 3) {
    t.zero3 = zero3_time(c, e, stage, params, comm);
    return t;
  }
  const workload::StateBytes state = workload::state_bytes(e);
  const int n = dp_buckets(e, params.all);
  // The last micro-batch's backward fills the gradient buckets (Megatron-LM's and PyTorch DDP's
  // overlap_grad_reduce: Li et al. 2020, PyTorch Distributed, sec. 3.2.3); ZeRO 1/2 reduce-scatter
  // them, and gather the updated parameters bucket by bucket ahead of the next step's forward
  // (overlap_param_gather).
  const double backward = stage.backward + stage.recompute;
  const Op reduce = e.zero == 0 ? Op::allreduce : Op::reducescatter;
  t.dp = buckets_exposed(c, e, reduce, params, state.gradients, n, backward, e.overlap_dp, comm);
  if (e.zero >= 1)
    t.dp += buckets_exposed(c, e, Op::allgather, params, state.weights, n, stage.forward, e.overlap_param_gather, comm);
  return t;
}

}  // namespace rackscope::eval
