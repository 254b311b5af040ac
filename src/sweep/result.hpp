#pragma once
// One configuration's outcome, before it is packed into a /results row.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "eval/breakdown.hpp"

namespace rackscope::sweep {


struct Result {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  int64_t index = 0;
  int64_t dp = 0, chips = 0, ranks = 0, micro_batches = 0;
  int reason = 0;  // 0: feasible (reasons.hpp)
  // NaN where not computed (an infeasible configuration is not timed).
  double step_time_s = nan, tokens_per_s = nan, mfu = nan, hfu = nan, memory_per_chip_B = nan;
  double time_to_train_s = nan, cost_usd = nan, power_W = nan, energy_J = nan;
  // The sizing answer's economics (econ/training_run): NaN where the cluster names no economics
  // (capex, load power, facility energy, TCO) or no reliability (goodput, wall time).
  double rack_capex_usd = nan, cluster_capex_usd = nan, load_power_W = nan, facility_energy_J = nan, tco_usd = nan;
  double goodput = nan, wall_time_s = nan;
  std::array<double, eval::term_count> breakdown_s;  // the /results columns `<term>_s`
  Result() { breakdown_s.fill(nan); }
};

}  // namespace rackscope::sweep
