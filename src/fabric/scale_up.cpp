// The racks' scale-up fabric: one builder per topology (torus.cpp, switch_domain.cpp,
// explicit_links.cpp) run for every rack, rack 0's unit routes, and routing inside a rack.
#include <type_traits>

#include "fabric/fabric_impl.hpp"
#include "units/check.hpp"

namespace rackscope::fabric {

void ScaleUpTier::build(const ClusterShape& s, GraphParts& g) {
  chips_per_rack_ = s.chips_per_rack;
  rack_link_base_ = g.link_count();
  rack_switch_base_ = g.vertex_count();
  for (int r = 0; r < s.racks; ++r) {
    std::visit(
        [&](const auto& up) {
          using T = std::decay_t<decltype(up)>;
          if constexpr (std::is_same_v<T, hw::TorusSpec>) build_torus(s, g, up, r);
          else if constexpr (std::is_same_v<T, hw::SwitchSpec>) build_switch_domain(s, g, up, r);
          else build_explicit(s, g, up, r);
        },
        s.spec.rack.scale_up);
    if (r == 0) {
      rack_links_ = g.link_count() - rack_link_base_;
      rack_switches_ = g.vertex_count() - rack_switch_base_;
    }
  }
  if (!std::holds_alternative<hw::TorusSpec>(s.spec.rack.scale_up)) build_local_paths(s, g);
}

// Unit routes between every pair of chips of rack 0 for switched and explicit racks, over rack 0's
// own links: switches forward traffic, and chips too in an explicit rack.
void ScaleUpTier::build_local_paths(const ClusterShape& s, const GraphParts& g) {
  const int n = s.chips_per_rack;
  const bool chips_forward = std::holds_alternative<hw::ExplicitSpec>(s.spec.rack.scale_up);
  const LinkSubgraph rack0 = link_subgraph(g.links, rack_link_base_, rack_links_, [&](int v) {
    const bool in_rack0 = v < n || (v >= rack_switch_base_ && v < rack_switch_base_ + rack_switches_);
    return in_rack0 && (g.kinds[v] == VertexKind::switch_ || chips_forward);
  });
  std::vector<int> chips(n);
  for (int a = 0; a < n; ++a) chips[a] = a;
  local_paths_ = ecmp_table(rack0, g.links, chips, rack_link_base_);
}

void ScaleUpTier::route(int a_local, int b_local, int rack, const std::vector<Link>& links, double bytes, PhaseLoads& loads,
                        Route& r) const {
  if (!dims_.empty()) return route_torus(a_local, b_local, rack, links, bytes, loads, r);
  const PathTable& t = local_paths_;
  const size_t p = t.pair(a_local, b_local);
  // The rack readers refuse a rack whose chips cannot all reach each other.
  RACKSCOPE_ASSERT(t.hops[p] > 0, "every pair of a rack's chips has a route");
  const int shift = rack_link_base_ + rack * rack_links_;
  for (int i = t.begin[p]; i < t.begin[p + 1]; ++i) loads.add(t.links[i].first + shift, bytes * t.links[i].second);
  r.latency_s += t.latency_s[p];
  r.hops += t.hops[p];
}

double ScaleUpTier::route_to_switch(int local, int rack, bool up, const std::vector<Link>& links, double bytes, PhaseLoads& loads) const {
  const int shift = rack * rack_links_;
  const auto& ids = up ? switch_up_[local] : switch_down_[local];
  double latency = 0;
  for (int id : ids) {
    loads.add(id + shift, bytes / static_cast<double>(ids.size()));
    latency = std::max(latency, links[id].latency_s);
  }
  return latency;
}

}  // namespace rackscope::fabric
