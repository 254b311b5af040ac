#include "sweep/reasons.hpp"

namespace rackscope::sweep {
namespace {
// evaluate()'s reasons are read from infeasibility_name() until it no longer knows the code, so
// a reason added to the enum shows up here without a second list to keep in step.
int eval_reasons() {
  static const int n = [] {
    int i = 0;
    while (std::string(workload::infeasibility_name(static_cast<workload::Infeasibility>(i))) != "?") ++i;
    return i;
  }();
  return n;
}
}  // namespace

int reason_code(workload::Infeasibility r) { return static_cast<int>(r); }
int reason_code(Constraint c) { return eval_reasons() + static_cast<int>(c); }

const std::vector<std::string>& reason_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (int i = 0; i < eval_reasons(); ++i) out.push_back(workload::infeasibility_name(static_cast<workload::Infeasibility>(i)));
    for (const char* c : {"over_memory_budget", "over_max_racks", "over_max_chips", "over_max_cost", "over_max_power"}) out.push_back(c);
    return out;
  }();
  return names;
}

}  // namespace rackscope::sweep
