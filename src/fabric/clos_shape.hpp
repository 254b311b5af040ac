#pragma once
#include <string>

#include "hw/cluster_spec.hpp"

namespace rackscope::fabric {
// The shape of the folded Clos a cluster's scale-out spec asks for.
struct ClosShape {
  int down = 0, up = 0;  // leaf ports to NICs and to spines
  int groups = 1, leaves_per_group = 0, leaves = 0;
  int levels = 0, pods = 0, pod_leaves = 0;
  std::string problem;  // non-empty when the radix cannot join this many racks
};
ClosShape clos_shape(const hw::ClusterSpec& c);
}  // namespace rackscope::fabric
