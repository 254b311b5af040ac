#pragma once
// Reason codes of the `reason` column: 0 feasible, then evaluate()'s infeasibility reasons in
// their enum order, then the sweep's own constraints.
#include <string>
#include <vector>

#include "workload/execution.hpp"

namespace rackscope::sweep {

enum class Constraint { memory_budget, racks, chips, cost, power };

int reason_code(workload::Infeasibility r);
int reason_code(Constraint c);
// Names by code ("feasible", "ranks_mismatch", ..., "over_memory_budget", ...).
const std::vector<std::string>& reason_names();

}  // namespace rackscope::sweep
