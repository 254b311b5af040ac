// The optimizer step: gradient norm, Adam and the copy back to the weights over the parameters
// the rank updates, at HBM speed (workload::StateBytes::optimizer_step_traffic).
#include "eval/step_parts.hpp"
#include "workload/memory.hpp"

namespace rackscope::eval {

double optimizer_time(const StepContext& c, const workload::Execution& e, const workload::RankParams& params) {
  // With ZeRO 1 or more a rank updates its share of the states (workload::RankParams::held).
  return compute::elementwise_time(c.profile, c.rate, params.held(e, e.zero >= 1, workload::state_bytes(e).optimizer_step_traffic()));
}

}  // namespace rackscope::eval
