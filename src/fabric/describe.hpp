#pragma once
#include <ostream>
#include <vector>

#include "fabric/fabric.hpp"

namespace rackscope::fabric {

struct TierSummary {
  Tier tier;
  int links = 0;  // physical links (both directions count once)
  double min_bandwidth_Bps = 0, max_bandwidth_Bps = 0;  // per direction
};

struct Description {
  int chips = 0, nics = 0, switches = 0;
  int links = 0;          // physical links between chips, NICs and switches (not core or die links)
  int diameter_hops = 0;  // longest shortest path between two chips
  double bisection_Bps = 0;  // one direction, min over the natural halvings (see describe.cpp)
  std::vector<TierSummary> tiers;
};

Description describe(const Fabric& f);
// Graphviz: one edge per physical link, labelled with its bandwidth, coloured by tier.
void write_dot(const Fabric& f, std::ostream& out);

}  // namespace rackscope::fabric
