#include "workload/execution.hpp"

namespace rackscope::workload {

const char* recompute_name(Recompute r) {
  switch (r) {
    case Recompute::none: return "none";
    case Recompute::selective: return "selective";
    case Recompute::full: return "full";
  }
  return "?";
}

int derived_dp(int64_t ranks, const Execution& e) {
  const int64_t split = static_cast<int64_t>(e.tp) * e.cp * e.pp;
  return ranks % split == 0 ? static_cast<int>(ranks / split) : 0;
}

const char* infeasibility_name(Infeasibility r) {
  switch (r) {
    case Infeasibility::none: return "feasible";
    case Infeasibility::ranks_mismatch: return "ranks_mismatch";
    case Infeasibility::tp_heads: return "tp_heads";
    case Infeasibility::pp_layers: return "pp_layers";
    case Infeasibility::batch_split: return "batch_split";
    case Infeasibility::ep_experts: return "ep_experts";
    case Infeasibility::ep_dp: return "ep_dp";
    case Infeasibility::cp_seq: return "cp_seq";
    case Infeasibility::precision_unsupported: return "precision_unsupported";
    case Infeasibility::out_of_memory: return "out_of_memory";
    case Infeasibility::collective_unplanned: return "collective_unplanned";
    case Infeasibility::package_unfit: return "package_unfit";
    case Infeasibility::vpp_without_pp: return "vpp_without_pp";
    case Infeasibility::not_applicable: return "not_applicable";
  }
  return "?";
}

}  // namespace rackscope::workload
