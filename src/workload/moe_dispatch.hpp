#pragma once
// What one rank's MoE layer routes, sends and computes per micro-batch, as Megatron-Core's
// all-to-all token dispatcher runs it (megatron/core/transformer/moe/token_dispatcher.py,
// MoEAlltoAllTokenDispatcher): each rank routes its sequence-parallel share of the tokens, permutes
// the token-expert assignments by expert, sends them to the EP ranks holding those experts
// (all-to-all), gathers them over the expert TP group (Execution::etp), sorts the received chunks by local expert,
// runs its local experts as one grouped GEMM, and undoes it all in reverse (combine).
#include "workload/execution.hpp"
#include "workload/model.hpp"

namespace rackscope::workload {

struct MoeDispatch {
  double local_experts = 0;  // experts / ep held by each EP rank
  double routed = 0;         // token-expert assignments the rank routes: its SP share of tokens x top_k
  // Load of the busiest EP rank over the mean, after capacity: the step runs at its pace (the
  // all-to-all synchronises the EP group).
  double busiest_rank_load = 1;
  double busiest_expert = 1;  // the busiest expert's tokens over the mean (busiest_expert_load)
  double kept = 1;           // fraction of the busiest expert's assignments kept (1 - dropped)
  // GEMM rows per local expert on the busiest rank: the expert TP group's assignments (all its
  // ranks see the gathered tokens) spread over the EP group's experts, times busiest_rank_load.
  double rows_per_expert = 0;
  double received = 0;       // assignments the busiest rank's experts process (rows_per_expert x local_experts)
  double send_rows = 0;      // rows one rank sends in the dispatch all-to-all (scaled to the busiest receiver)
};

// `tokens`: tokens of one micro-batch in the rank's TP group (every TP rank's share together).
MoeDispatch moe_dispatch(const ModelSpec& m, const Execution& e, double tokens);

// Expected largest of n independent standard normal draws (Blom 1958: the normal quantile at
// (n - 0.375) / (n + 0.25)); 0 for n < 2.
double expected_max_standard_normal(int n);
// The busiest of `experts` experts' tokens over the mean `mean_rows` in one micro-batch: the
// routing's own imbalance (the model file's load_imbalance) plus the sampling spread of the
// micro-batch's counts (Poisson, sd = sqrt(load_imbalance x mean_rows)), whose largest of
// `experts` lies expected_max_standard_normal(experts) sd above.
double busiest_expert_load(double load_imbalance, double mean_rows, int experts);
// Load of the EP rank holding the busiest expert over the mean, when the busiest expert gets
// `hot` x its mean share, the rank's other `local_experts` - 1 experts the mean, and every
// expert at most `capacity` x the mean (0: dropless); `padded`: every expert runs its capacity.
double busiest_rank_load(double hot, double local_experts, double capacity, bool padded);

// Expected number of `slices` (equal runs of consecutive experts: EP ranks, or the racks an EP
// group spans) that hold at least one of a token's top_k experts, every choice of the routing
// equally likely: route_group_topk of the route_groups groups, then top_k experts among theirs.
// A slice inside one group is hit when its group is picked and a pick lands in it; a slice of
// several groups when any of them is picked (hypergeometric) and a pick lands in those. Groups
// that do not nest with the slices are counted as unrestricted routing (no fewer slices hit).
double expected_slices_hit(const MoeSpec& s, int slices);

}  // namespace rackscope::workload
