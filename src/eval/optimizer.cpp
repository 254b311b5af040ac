// The optimizer step: Adam over the parameters the rank updates, at HBM speed.
#include "eval/step_parts.hpp"
#include "workload/memory.hpp"

namespace rackscope::eval {

double optimizer_time(const StepContext& c, const workload::Execution& e, double params) {
  // With ZeRO 1 or more a rank updates its share of the states (1 / (dp x cp)).
  const double updated = params / (e.zero >= 1 ? workload::param_replicas(e) : 1);
  return compute::elementwise_time(c.profile, c.rate, workload::state_bytes(e).adam_update_traffic() * updated);
}

}  // namespace rackscope::eval
