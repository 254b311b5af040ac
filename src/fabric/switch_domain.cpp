#include <fmt/format.h>

#include "fabric/fabric_impl.hpp"

namespace rackscope::fabric {

// A one- or two-level switch domain (NVSwitch, NeuronSwitch), replicated over `planes`
// identical switch planes: every chip has one link to its leaf in each plane; in a two-level
// domain every leaf has one uplink to each spine of its plane.
void ScaleUpTier::build_switch_domain(const ClusterShape& shape, GraphParts& g, const hw::SwitchSpec& s, int rack) {
  const int n = shape.chips_per_rack;
  const int base = rack * n;
  const int per_leaf = s.chips_per_leaf == 0 ? n : s.chips_per_leaf;
  const int leaves = n / per_leaf;
  if (rack == 0) {
    switch_up_.assign(n, {});
    switch_down_.assign(n, {});
    in_switch_reduction_ = s.in_switch_reduction && leaves == 1;
  }
  for (int p = 0; p < s.planes; ++p) {
    std::vector<int> leaf_ids;
    for (int l = 0; l < leaves; ++l)
      leaf_ids.push_back(g.add_vertex(VertexKind::switch_, fmt::format("r{}.plane{}.leaf{}", rack, p, l)));
    for (int local = 0; local < n; ++local) {
      const int id = g.add_link(base + local, leaf_ids[local / per_leaf], s.link_bandwidth_Bps, s.link_latency_s, Tier::scale_up);
      if (rack == 0) {
        switch_up_[local].push_back(id);
        switch_down_[local].push_back(id + 1);
      }
    }
    if (leaves > 1) {
      for (int sp = 0; sp < s.spines; ++sp) {
        const int spine = g.add_vertex(VertexKind::switch_, fmt::format("r{}.plane{}.spine{}", rack, p, sp));
        for (int leaf : leaf_ids) g.add_link(leaf, spine, s.uplink_bandwidth_Bps, s.uplink_latency_s, Tier::scale_up);
      }
    }
  }
}

}  // namespace rackscope::fabric
