#pragma once
// evaluate(): one training step of a model under an execution on a cluster. Deterministic and
// free of I/O; the collective planner it is given caches plans across calls.
#include "collective/select.hpp"
#include "compute/profile.hpp"
#include "eval/report.hpp"
#include "fabric/fabric.hpp"
#include "workload/execution.hpp"
#include "workload/model.hpp"

namespace rackscope::eval {

struct System {
  const fabric::Fabric& fabric;
  collective::Planner& planner;
  const compute::Profile& profile;
};

Report evaluate(const System& sys, const workload::ModelSpec& m, const workload::Execution& e);
// A die-built chip whose dies and HBM do not fit its packaging cannot be built: package_unfit,
// named by its first problem (evaluate() checks it first; `topo` and `collective` refuse it too).
Report check_package(const hw::Chip& chip);

}  // namespace rackscope::eval
