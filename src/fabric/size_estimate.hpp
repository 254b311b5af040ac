#pragma once
// What building a cluster's fabric will cost, from its spec alone, before anything is built:
// the counts the builders will make (mirroring build_cluster, dies, scale_up, clos) and the
// memory that takes, so that a cluster too large for the machine is refused with the estimate
// instead of ending in bad_alloc or the OOM killer.
#include "hw/cluster_spec.hpp"

namespace rackscope::fabric {

struct SizeEstimate {
  double chips = 0, vertices = 0, links = 0;  // links: physical, each both directions once
  double bytes = 0;                           // memory to build and describe the fabric
};

// Doubles throughout: the counts of any spec (up to 2^20 racks of any size) without overflow.
SizeEstimate estimate_size(const hw::ClusterSpec& spec);

}  // namespace rackscope::fabric
