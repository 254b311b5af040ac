// The racks' scale-up fabric: one builder per topology (torus.cpp, switch_domain.cpp,
// explicit_links.cpp) run for every rack, rack 0's unit routes, and routing inside a rack.
#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>
#include <vector>

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

namespace {
// Rack 0's unit routes depend only on its own links (their ends, in rack-local numbering, and
// latencies, in link order) and on whether chips forward: not on the rack count, the chip's
// cores or the scale-out tier. A sweep builds many fabrics of one rack; the last few racks'
// tables are kept here, keyed by exactly that (compared whole, not by a hash).
struct RackKey {
  int chips = 0;
  bool chips_forward = false;
  std::vector<int> ends;          // per link: local from, local to
  std::vector<double> latencies;  // per link
  bool operator==(const RackKey&) const = default;
};

std::shared_ptr<const PathTable> rack_paths_cache(const RackKey& key, const std::function<PathTable()>& compute) {
  static std::mutex mutex;
  static std::vector<std::pair<RackKey, std::shared_ptr<const PathTable>>> kept;  // most recent last
  constexpr size_t kKept = 8;
  {
    std::lock_guard<std::mutex> lock(mutex);
    for (size_t i = 0; i < kept.size(); ++i)
      if (kept[i].first == key) {
        auto found = kept[i];
        kept.erase(kept.begin() + static_cast<long>(i));
        kept.push_back(found);
        return found.second;
      }
  }
  auto table = std::make_shared<const PathTable>(compute());
  std::lock_guard<std::mutex> lock(mutex);
  if (kept.size() == kKept) kept.erase(kept.begin());
  kept.emplace_back(key, table);
  return table;
}
}  // namespace

// Unit routes between every pair of chips of rack 0 for switched and explicit racks, over rack 0's
// own links: switches forward traffic, and chips too in an explicit rack.
void ScaleUpTier::build_local_paths(const ClusterShape& s, const GraphParts& g) {
  const int n = s.chips_per_rack;
  const bool chips_forward = std::holds_alternative<hw::ExplicitSpec>(s.spec.rack.scale_up);
  RackKey key{n, chips_forward, {}, {}};
  auto local = [&](int v) {
    RACKSCOPE_ASSERT(v < n || (v >= rack_switch_base_ && v < rack_switch_base_ + rack_switches_), "a rack-0 link joins rack 0's own vertices");
    return v < n ? v : n + (v - rack_switch_base_);
  };
  for (int id = rack_link_base_; id < rack_link_base_ + rack_links_; ++id) {
    key.ends.push_back(local(g.links[id].from));
    key.ends.push_back(local(g.links[id].to));
    key.latencies.push_back(g.links[id].latency_s);
  }
  local_paths_ = rack_paths_cache(key, [&] { return rack0_paths(s, g, chips_forward); });
}

PathTable ScaleUpTier::rack0_paths(const ClusterShape& s, const GraphParts& g, bool chips_forward) const {
  const int n = s.chips_per_rack;
  const LinkSubgraph rack0 = link_subgraph(g.links, rack_link_base_, rack_links_, [&](int v) {
    const bool in_rack0 = v < n || (v >= rack_switch_base_ && v < rack_switch_base_ + rack_switches_);
    return in_rack0 && (g.kinds[v] == VertexKind::switch_ || chips_forward);
  });
  std::vector<int> chips(n);
  for (int a = 0; a < n; ++a) chips[a] = a;
  return ecmp_table(rack0, g.links, chips, rack_link_base_);
}

void ScaleUpTier::route(int a_local, int b_local, int rack, const std::vector<Link>& links, double bytes, PhaseLoads& loads,
                        Route& r) const {
  if (!dims_.empty()) return route_torus(a_local, b_local, rack, links, bytes, loads, r);
  const PathTable& t = *local_paths_;
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
