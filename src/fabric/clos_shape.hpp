#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "hw/cluster_spec.hpp"

namespace rackscope::fabric {
// The shape of the folded Clos a cluster's scale-out spec asks for.
struct ClosShape {
  int down = 0, up = 0;  // leaf ports to NICs and to spines
  int groups = 1, leaves_per_group = 0, leaves = 0;
  int levels = 0, pods = 0, pod_leaves = 0;  // pods: of the level below the top, each of pod_leaves leaves (3 levels)
  // Four levels or more: pods[l] level-l pods (l >= 2, a level-l pod holds (radix/2)^(l-1)
  // leaves) and positions[l] switches in each, indexed by level (0 and 1 unused).
  std::vector<int64_t> level_pods, level_positions;
  // Cables in each link into the top level. A top switch is joined to every pod (or leaf) below
  // it once; when fewer are below than it has ports, top_bundle switches' worth of links run as
  // bundles into one switch (the top has 1/top_bundle as many switches, the same cables and
  // bandwidth), as a small fabric is cabled. Set for 2 levels and up.
  int top_bundle = 1;
  std::string problem;  // non-empty when the radix cannot join this many racks
};
ClosShape clos_shape(const hw::ClusterSpec& c);
// Leaves under one pod of each level l (index l, 1 at level 1), 0 at the top (one pod joins all).
std::vector<int64_t> clos_spans(const ClosShape& shape, int radix);
}  // namespace rackscope::fabric
