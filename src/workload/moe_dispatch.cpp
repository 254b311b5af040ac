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

MoeDispatch moe_dispatch(const ModelSpec& m, const Execution& e, double tokens) {
  MoeDispatch d;
  const MoeSpec& s = m.moe;
  d.local_experts = s.experts / static_cast<double>(e.ep);
  // With TP, Megatron-Core routes the sequence-parallel share of each rank (MoE needs sequence
  // parallelism with TP) and gathers the received tokens over the TP group before the experts.
  d.routed = tokens / e.tp * s.top_k;
  // The EP group's ep TP groups route ep x tokens x top_k assignments to `experts` experts.
  const double mean_rows = tokens * s.top_k * e.ep / s.experts;
  d.busiest_expert = busiest_expert_load(s.load_imbalance, mean_rows, s.experts);
  d.busiest_rank_load = busiest_rank_load(d.busiest_expert, d.local_experts, s.capacity_factor, s.pad_to_capacity);
  d.kept = s.capacity_factor > 0 ? std::min(1.0, s.capacity_factor / d.busiest_expert) : 1.0;
  d.rows_per_expert = mean_rows * d.busiest_rank_load;
  d.received = d.rows_per_expert * d.local_experts;
  d.send_rows = d.routed * d.busiest_rank_load;
  return d;
}

}  // namespace rackscope::workload
