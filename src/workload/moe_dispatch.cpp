#include "workload/moe_dispatch.hpp"

#include <algorithm>
#include <cmath>

namespace rackscope::workload {

double expected_max_standard_normal(int n) {
  if (n < 2) return 0;
  // evaluate() asks this for every MoE configuration with the model's expert count: the last
  // answer is kept (the bisection below is 60 erfc calls).
  thread_local int last_n = 0;
  thread_local double last = 0;
  if (n == last_n) return last;
  // The quantile q with P(Z > q) = 1 - p, by bisection on erfc (monotone; 60 halvings reach
  // double precision on [0, 10]).
  const double tail = 1 - (n - 0.375) / (n + 0.25);
  double lo = 0, hi = 10;
  for (int i = 0; i < 60; ++i) {
    const double mid = (lo + hi) / 2;
    (0.5 * std::erfc(mid / std::sqrt(2.0)) > tail ? lo : hi) = mid;
  }
  last_n = n;
  last = (lo + hi) / 2;
  return last;
}

double busiest_expert_load(double load_imbalance, double mean_rows, int experts) {
  if (mean_rows <= 0) return load_imbalance;
  return load_imbalance + expected_max_standard_normal(experts) * std::sqrt(load_imbalance / mean_rows);
}

double busiest_rank_load(double hot, double local_experts, double capacity, bool padded) {
  if (capacity > 0 && padded) return capacity;
  // Megatron-Core drops what exceeds an expert's capacity before dispatch (get_capacity: the
  // mean share x capacity factor); the others stay at the mean, also capped.
  const double busiest = capacity > 0 ? std::min(hot, capacity) : hot;
  const double rest = capacity > 0 ? std::min(1.0, capacity) : 1.0;
  return (busiest + (local_experts - 1) * rest) / local_experts;
}

namespace {
// log C(n, k) from log-gamma: O(1) however many experts or groups a model file names (sums of logs
// would take k steps for each term). glibc's lgamma also writes the global signgam; rackscope
// evaluates on one thread per process (MPI ranks; the scheduler's thread evaluates nothing).
double log_choose(double n, double k) { return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1); }

// C(n - m, k) / C(n, k): the chance that k picks out of n, without replacement, all miss m given ones.
double all_miss(double n, double m, int k) {
  if (n - m < k) return 0;
  return std::exp(log_choose(n - m, k) - log_choose(n, k));
}
}  // namespace

double expected_slices_hit(const MoeSpec& s, int slices) {
  if (slices <= 1) return slices;
  int groups = s.route_groups, picked = s.route_group_topk;
  if (groups <= 1 || (groups % slices != 0 && slices % groups != 0)) groups = 1, picked = 1;
  const double group_experts = static_cast<double>(s.experts) / groups;
  const double eligible = picked * group_experts;  // the experts a token's top_k are drawn from
  double hit = 0;
  if (slices % groups == 0) {
    hit = static_cast<double>(picked) / groups * (1 - all_miss(eligible, static_cast<double>(s.experts) / slices, s.top_k));
  } else {
    const int own = groups / slices;  // groups in each slice
    for (int j = 1; j <= std::min(own, picked); ++j) {
      if (picked - j > groups - own) continue;
      const double p = std::exp(log_choose(own, j) + log_choose(groups - own, picked - j) - log_choose(groups, picked));
      hit += p * (1 - all_miss(eligible, j * group_experts, s.top_k));
    }
  }
  return slices * hit;
}

MoeDispatch moe_dispatch(const ModelSpec& m, const Execution& e, double tokens) {
  MoeDispatch d;
  const MoeSpec& s = m.moe;
  d.local_experts = s.experts / static_cast<double>(e.ep);
  // With TP, Megatron-Core routes the sequence-parallel share of each rank (MoE needs sequence
  // parallelism with TP) and gathers the received tokens over the TP group before the experts.
  d.routed = tokens / e.tp * s.top_k;
  // The etp x ep ranks holding one copy of every expert each route their tokens / tp x top_k
  // assignments to `experts` experts, whose etp ranks each see all of their rows once gathered
  // (with etp = tp: the ep TP groups' ep x tokens x top_k).
  const double mean_rows = d.routed * e.ep * expert_tp(e) / s.experts;
  d.busiest_expert = busiest_expert_load(s.load_imbalance, mean_rows, s.experts);
  d.busiest_rank_load = busiest_rank_load(d.busiest_expert, d.local_experts, s.capacity_factor, s.pad_to_capacity);
  d.kept = s.capacity_factor > 0 ? std::min(1.0, s.capacity_factor / d.busiest_expert) : 1.0;
  d.rows_per_expert = mean_rows * d.busiest_rank_load;
  d.received = d.rows_per_expert * d.local_experts;
  d.send_rows = d.routed * d.busiest_rank_load;
  return d;
}

}  // namespace rackscope::workload
