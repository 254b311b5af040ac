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
  int links = 0;          // every link of the tier table (each both directions once): the tiers' total
  // Longest shortest path between two chips, and the bisection (one direction, min over the
  // natural halvings), both over the links a path between chips can take: not the on-chip and
  // die-to-die tiers (they lead to a chip's own cores and dies), and the host tier only toward
  // the network and back, never chip -> host switch or NIC -> chip (see path_graph in describe.cpp).
  int diameter_hops = 0;
  double bisection_Bps = 0;
  std::vector<TierSummary> tiers;
};

Description describe(const Fabric& f);
// Graphviz: one edge per physical link, labelled with its bandwidth, coloured by tier.
void write_dot(const Fabric& f, std::ostream& out);

}  // namespace rackscope::fabric
