#pragma once
// What evaluate() returns: a feasible step's time, rates and breakdown, or the typed reason a
// configuration cannot run.
#include <string>
#include <utility>
#include <vector>

#include "eval/breakdown.hpp"
#include "workload/execution.hpp"
#include "workload/memory.hpp"

namespace rackscope::eval {

struct Report {
  workload::Infeasibility reason = workload::Infeasibility::none;
  std::string detail;  // human explanation of the reason
  bool feasible() const { return reason == workload::Infeasibility::none; }

  double step_time_s = 0, tokens_per_s = 0;
  double mfu = 0, hfu = 0;  // model / hardware FLOPs per second over the ranks' dense peak
  double model_flops = 0, hardware_flops = 0;  // per step, whole cluster
  workload::MemoryUse memory_per_rank;
  double memory_per_chip_B = 0, memory_capacity_B = 0;
  int micro_batches = 0;
  // Seconds of the step per term (feasible steps only); they add up to step_time_s.
  Breakdown breakdown;
  KernelSplit compute_split;  // the compute term by kernel class (adds up to it)
  Term dominant = Term::compute;  // the largest term (the first of equals)
};

}  // namespace rackscope::eval
