#pragma once
// Evaluates configurations by index on one rank. Each cluster is read once (from the texts rank
// 0 broadcast) and its fabric and collective planner are kept for the configurations that
// follow: a planner caches every collective plan, so a cluster's first configuration pays for
// routing and the rest are arithmetic. Only a few fabrics are kept at once (they are large);
// cluster-shaping axes vary slowest, so a rank's consecutive chunks mostly share one.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collective/select.hpp"
#include "compute/profile.hpp"
#include "fabric/fabric.hpp"
#include "hw/cluster_spec.hpp"
#include "sweep/result.hpp"
#include "sweep/space.hpp"
#include "sweep/spec.hpp"
#include "workload/model.hpp"

namespace rackscope::sweep {

// What the configurations of a spec are evaluated on, already read and checked: io::sweep_inputs
// reads them from input texts; a caller may also build them in memory.
struct Inputs {
  std::vector<workload::ModelSpec> models;  // per workload
  std::vector<compute::Profile> profiles;   // per value of the profile axis (or the base one)
  // The cluster of cluster variant `c` (Space::cluster_of); called once per variant, again
  // only if the variant is evicted. May throw (the sweep reports it as that rank's failure).
  std::function<hw::ClusterSpec(int64_t c)> cluster;
};

class Evaluator {
 public:
  Evaluator(const Spec& spec, Inputs inputs, size_t max_fabrics = 4);
  ~Evaluator();
  const Space& space() const { return space_; }
  Result evaluate(int64_t index);
  // Fabrics built so far (a cluster rebuilt after eviction counts again).
  int64_t fabrics_built() const { return fabrics_built_; }

 private:
  struct Cluster;
  Cluster& cluster(int64_t c);
  void ensure_fabric(Cluster& c);

  const Spec& spec_;
  Space space_;
  Inputs inputs_;
  size_t max_fabrics_;
  int profile_axis_ = -1, workload_axis_ = -1;
  std::vector<std::pair<size_t, int>> knob_axes_;  // (axis, knob index)
  bool derive_dp_ = true;
  std::map<int64_t, std::unique_ptr<Cluster>> clusters_;
  uint64_t clock_ = 0;
  int64_t fabrics_built_ = 0;
};

}  // namespace rackscope::sweep
