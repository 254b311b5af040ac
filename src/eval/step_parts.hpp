#pragma once
// The parts of evaluate(), one job per file, shared here so evaluate.cpp reads as the list of
// steps: checks (structure_check.cpp, memory_check.cpp), per-layer cost (layer_cost.cpp), the
// slowest stage (stage_times.cpp), pipeline sends and bubble (pipeline.cpp), data parallelism and
// ZeRO (data_parallel.cpp), the optimizer (optimizer.cpp), the breakdown (breakdown.cpp) and FLOP
// accounting (flops.cpp). Internal to eval/.
#include <string>

#include "compute/roofline.hpp"
#include "eval/communicators.hpp"
#include "eval/evaluate.hpp"
#include "workload/layer_work.hpp"
#include "workload/placement.hpp"

namespace rackscope::eval {

Report infeasible(workload::Infeasibility why, std::string detail);

// Checks before any cost: degrees against the model and the cluster, the chip's package and
// precision. Feasible (an empty Report) when every check passes.
Report check_structure(const workload::ModelSpec& m, const workload::Execution& e, int ranks, int seq, const hw::Chip& chip);
// Dense peak of the chip's GEMMs in precision `p` (0: the chip has no such path).
double precision_flops(const hw::Chip& chip, workload::Precision p);
// One rank's rates with GEMMs in `gemm` and the attention core in `attention`: its share of the
// chip's peaks and HBM bandwidth, and which GEMM efficiencies of the profile apply (MX block scales,
// 16-bit inputs).
compute::RankRates rank_rates(const hw::Chip& chip, workload::Precision gemm, workload::Precision attention);
// The format the attention core (QK^T, AV) runs in: with 8-bit or narrower GEMMs bf16, as
// Transformer Engine's DotProductAttention does unless FP8 attention is asked for (fp8_dpa), then
// fp8; otherwise the GEMMs' format.
workload::Precision attention_precision(const workload::Execution& e);
// The memory a rank needs, filled into a Report: out_of_memory when a chip's ranks need more
// than its HBM (an execution that does not fit is not timed).
Report check_memory(const workload::ModelSpec& m, const workload::Execution& e, int seq, bool flash, int micro_batches,
                    const hw::Chip& chip);

// What the costing steps share about the step being evaluated.
struct StepContext {
  const hw::Chip& chip;
  const compute::Profile& profile;
  double peak_flops;         // the chip's dense peak at the execution's precision
  compute::RankRates rate;   // one rank's share of it and of HBM bandwidth
  int ranks, seq, micro_batches;
  double tokens;             // tokens of one micro-batch on one rank (seq / cp of each sequence)
  workload::PlacementShapes place;  // rank 0's communicators and their siblings
  bool tp_in_scale_up;        // rank 0's TP group lies inside one scale-up domain (rack)
  double share;              // compute share a running collective takes (the runtime's)
  // The share a ring-attention exchange (CP) and a pipeline send take: a collective's inside a
  // rack, the runtime's network point-to-point share where the pair lies in different racks.
  double cp_share, pp_share;
};

// Seconds of one layer's forward, backward and recompute on one rank.
struct LayerTimes {
  double fwd = 0, bwd = 0, recompute = 0;
  KernelSplit split;  // fwd + bwd by kernel class
  double gemm_fwd = 0, attention_fwd = 0;  // for overlap windows
  // Forward time of the GEMMs reading the gathered hidden stream into attention and into the
  // FFN; their data- and weight-gradient GEMMs in backward take as long each.
  double attention_input_gemm = 0, ffn_input_gemm = 0;
  // Forward time of the GEMMs whose outputs TP reduces (output projection, FFN's last GEMM).
  double attention_output_gemm = 0, ffn_output_gemm = 0;
};
// How collective matmul (overlap_tp) cuts the GEMMs it overlaps into chunks of rows, as Transformer
// Engine's userbuffers do by default (module/base.py initialize_ub): ring exchange, tp chunks, for
// the QKV and FC1 forward and the projection's and FC2's data gradients; the pipelined
// reduce-scatter, 4 chunks, for the projection and FC2 forward; the rest whole (bulk overlap or
// none). 1: no chunks.
struct GemmChunks {
  int ring = 1, pipeline = 1;
};
inline constexpr int pipelined_rs_chunks = 4;  // TE initialize_ub: "num_splits": 4 if method == "pipeline"
// `host_per_kernel`: the host's dispatch time per kernel when execution is not graph-captured
// (0: never launch-bound); each pass takes at least its kernels' dispatch.
LayerTimes layer_times(const workload::LayerWork& w, const compute::Profile& p, const compute::RankRates& r, workload::Recompute rc,
                       double host_per_kernel = 0, GemmChunks chunks = {});

// Attention backward over forward time for sequences of `seq`: from the profile's measured
// backward and forward curves, else its factor, else the kernel's FLOP ratio.
double attention_backward(const compute::Profile& p, double seq = 0, double head_dim = 0);

// A layer's compute and the exposed communication of TP, CP and EP inside it, per micro-batch.
struct LayerCost {
  LayerTimes t;
  double tp = 0, cp = 0, ep = 0;
};
LayerCost layer_cost(const StepContext& c, const workload::ModelSpec& m, const workload::Execution& e, int layer, Communicators& comm);

// Seconds a collective of `comm` seconds adds when it runs alongside `window` seconds of compute
// that it slows by taking `share` of the rank's compute: the compute advances at 1 - share while
// both run, so the pair takes max(comm, window + share * comm).
double exposed_behind(double comm, double window, double share);

// Exposed seconds of one layer's TP collectives (all-gather `ag`, reduce-scatter `rs` with
// sequence parallelism, else all-reduce `ar`, each one call) run as collective matmul: each
// hidden only behind the one GEMM it feeds or drains, forward and backward (layer_cost.cpp), for
// the attention and FFN `blocks` (1: the attention block only); `ffn_again`: the FFN block's
// forward collectives once more (its MLP recomputed, recompute_mlp).
double tp_collective_matmul(const workload::Execution& e, const LayerTimes& t, double share, double ag, double rs, double ar,
                            int blocks = 2, bool ffn_again = false);

// Per micro-batch, the stage that takes longest: its compute and exposed communication.
struct StageTimes {
  double compute = 0, recompute = 0, tp = 0, cp = 0, ep = 0;
  KernelSplit split;    // `compute` by kernel class
  double forward = 0;   // the stage's layers' forward (the window the next step's parameter gathers run in)
  double backward = 0;  // the stage's layers' backward (the window DP gradient buckets fill in)
  // What the other stages add to the pipeline's fill and drain: each one's largest model chunk
  // (Σ over stages - this one; (pp - 1) / vpp of a stage when all are alike).
  double fill = 0;
  int layers = 0;  // transformer layers of this stage
  int index = 0;   // which stage
};
StageTimes slowest_stage(const StepContext& c, const workload::ModelSpec& m, const workload::Execution& e, Communicators& comm);

// Seconds per micro-batch of the pipeline's activation sends, and the 1F1B bubble of a step
// whose slowest stage is `stage` and whose sends take `send` seconds per micro-batch.
double pipeline_send_time(const StepContext& c, const workload::ModelSpec& m, const workload::Execution& e, Communicators& comm);
double pipeline_bubble(const workload::Execution& e, const StageTimes& stage, double send);
// Share of a stage's model-chunk passes that run in the steady 1F1B phase, a forward beside
// another micro-batch's backward: all but the first stage's warm-up forwards (Megatron-Core's
// schedules: pp - 1, or 2 (pp - 1) + (vpp - 1) pp interleaved; without a pipeline only the first
// micro-batch's forward runs alone), of micro_batches x vpp.
double steady_1f1b_share(const workload::Execution& e, int micro_batches);
// Seconds per micro-batch the sends add to the steady state: all of `send`, or with overlap_p2p
// on an interleaved pipeline only what each transfer's model chunk does not cover.
double pipeline_send_exposed(const StepContext& c, const workload::Execution& e, const StageTimes& stage, double send);

// Exposed seconds of `comm` seconds of collectives in `buckets` equal buckets run one at a time,
// the k-th ready (or needed) at k/buckets of a `window` of compute it slows by `share`: the last
// ends at max(window/n + comm, window + comm/n), so at least one bucket stays exposed.
double bucketed_exposed(double comm, double window, int buckets, double share);
// Gradient buckets of the rank's `params` (dp_bucket_params, or Megatron-LM's default).
int dp_buckets(const workload::Execution& e, double params);
// Exposed seconds per step of gradient reduction (dp) and of ZeRO-3's per-layer gathers (zero3).
struct DataParallelTimes {
  double dp = 0, zero3 = 0;
};
DataParallelTimes data_parallel_time(const StepContext& c, const workload::Execution& e, const StageTimes& stage,
                                     const workload::RankParams& params, Communicators& comm);
// Seconds of the optimizer update of the `params` a rank holds (before ZeRO sharding).
double optimizer_time(const StepContext& c, const workload::Execution& e, const workload::RankParams& params);

// The step's terms, in seconds per step.
struct StepTerms {
  double compute = 0, recompute = 0, tp = 0, cp = 0, ep = 0, pp = 0, bubble = 0, dp = 0, optimizer = 0, overhead = 0;
};
// Fills the breakdown, the step time (their sum) and the dominant term.
void add_breakdown(Report& rep, const StepTerms& t);
// Fills tokens/s, model and hardware FLOPs, MFU and HFU from the step time.
void account_flops(Report& rep, const StepContext& c, const workload::ModelSpec& m, const workload::Execution& e);

}  // namespace rackscope::eval
