#pragma once
// Evaluates configurations by index on one rank. Each cluster is read once (from the texts rank
// 0 broadcast) and its fabric and collective planner are kept for the configurations that
// follow: a planner caches every collective plan, so a cluster's first configuration pays for
// routing and the rest are arithmetic. Only a few fabrics are kept at once (they are large);
// cluster-shaping axes vary slowest, so a rank's consecutive chunks mostly share one.
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collective/select.hpp"
#include "compute/profile.hpp"
#include "fabric/fabric.hpp"
#include "io/input_file.hpp"
#include "sweep/result.hpp"
#include "sweep/space.hpp"
#include "sweep/spec.hpp"
#include "workload/model.hpp"

namespace rackscope::sweep {

using Texts = std::map<std::string, std::string>;

// Reads every input every configuration can name (each cluster, profile and model), checking
// them, and returns their texts by path. Rank 0 runs this before a sweep starts, so bad inputs
// are found before any result is written. Throws InputError.
Texts load_inputs(const Spec& spec);

class Evaluator {
 public:
  // `texts`: every input by path (from load_inputs); files not in it are read from disk.
  Evaluator(const Spec& spec, std::shared_ptr<const Texts> texts, size_t max_fabrics = 4);
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
  std::shared_ptr<const Texts> texts_;
  size_t max_fabrics_;
  std::vector<workload::ModelSpec> models_;      // per workload
  std::vector<compute::Profile> profiles_;       // per value of the profile axis (or the base one)
  int profile_axis_ = -1, workload_axis_ = -1;
  std::vector<std::pair<size_t, int>> knob_axes_;  // (axis, knob index)
  bool derive_dp_ = true;
  std::map<int64_t, std::unique_ptr<Cluster>> clusters_;
  uint64_t clock_ = 0;
  int64_t fabrics_built_ = 0;
};

}  // namespace rackscope::sweep
