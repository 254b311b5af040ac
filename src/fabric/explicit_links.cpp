#include <fmt/format.h>

#include "fabric/fabric_impl.hpp"

namespace rackscope::fabric {

// Links exactly as listed in the rack file ("chip:3" to "switch:0"); routed by ECMP over
// shortest paths, chips forwarding traffic like any switch (a listed ring is a ring).
void ScaleUpTier::build_explicit(const ClusterShape& s, GraphParts& g, const hw::ExplicitSpec& e, int rack) {
  const int base = rack * s.chips_per_rack;
  std::vector<int> sw;
  for (int i = 0; i < e.switches; ++i) sw.push_back(g.add_vertex(VertexKind::switch_, fmt::format("r{}.switch{}", rack, i)));
  auto endpoint = [&](const std::string& text) {
    const int index = std::stoi(text.substr(text.find(':') + 1));
    return text.rfind("chip", 0) == 0 ? base + index : sw[index];
  };
  for (const auto& l : e.links) g.add_link(endpoint(l.a), endpoint(l.b), l.bandwidth_Bps, l.latency_s, Tier::scale_up);
}

}  // namespace rackscope::fabric
