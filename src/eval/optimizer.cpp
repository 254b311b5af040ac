// The optimizer step: Adam over the parameters the rank updates, at HBM speed.
#include "eval/step_parts.hpp"
#include "workload/memory.hpp"

namespace rackscope::eval {

double optimizer_time(const StepContext& c, const workload::Execution& e, const workload::RankParams& params) {
  // With ZeRO 1 or more a rank updates its share of the states (workload::RankParams::held).
  return compute::elementwise_time(c.profile, c.rate, params.held(e, e.zero >= 1, workload::state_bytes(e).adam_update_traffic()));
}

}  // namespace rackscope::eval
