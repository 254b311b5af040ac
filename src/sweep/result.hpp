#pragma once
// One configuration's outcome, before it is packed into a /results row.
#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace rackscope::sweep {

// evaluate()'s breakdown terms, in its order: the /results columns `<term>_s`.
const std::vector<std::string>& breakdown_terms();
constexpr size_t kBreakdownTerms = 10;

struct Result {
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  int64_t index = 0;
  int64_t dp = 0, chips = 0, ranks = 0, micro_batches = 0;
  int reason = 0;  // 0: feasible (reasons.hpp)
  // NaN where not computed (an infeasible configuration is not timed).
  double step_time_s = nan, tokens_per_s = nan, mfu = nan, hfu = nan, memory_per_chip_B = nan;
  double time_to_train_s = nan, cost_usd = nan, power_W = nan, energy_J = nan;
  std::array<double, kBreakdownTerms> breakdown_s;
  Result() { breakdown_s.fill(nan); }
};

}  // namespace rackscope::sweep
