#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "fabric/clos_shape.hpp"
#include "fabric/fabric_impl.hpp"
#include "units/check.hpp"

namespace rackscope::fabric {

ClosShape clos_shape(const hw::ClusterSpec& c) {
  ClosShape s;
  const auto& so = c.scale_out;
  const int radix = so.radix;
  const double nic_bw = c.rack.nics.bandwidth_Bps;
  // Leaf ports: `down` to NICs, `up` to spines, chosen so that down bandwidth is
  // `oversubscription` times up bandwidth, using as many ports as the radix allows.
  for (int down = radix - 1; down >= 1; --down) {
    const int up = static_cast<int>(std::ceil(down * nic_bw / (so.oversubscription * so.link_bandwidth_Bps) - 1e-9));
    if (down + std::max(up, 1) <= radix) {
      s.down = down;
      s.up = std::max(up, 1);
      break;
    }
  }
  if (s.down == 0) {
    s.problem = fmt::format("a leaf of radix {} cannot hold one NIC port and its uplinks", radix);
    return s;
  }
  const int nics_per_rack = c.rack.nics.count;
  if (so.kind == hw::ScaleOutSpec::Kind::rail) {
    s.leaves_per_group = (c.racks + s.down - 1) / s.down;
    s.groups = nics_per_rack;
  } else {
    s.leaves_per_group = (c.racks * nics_per_rack + s.down - 1) / s.down;
    s.groups = 1;
  }
  s.leaves = s.leaves_per_group * s.groups;
  // Below the top, a switch has radix/2 ports down and radix/2 up; the top has all radix down.
  // One level joins one leaf; L >= 2 levels join radix x (radix/2)^(L-2) leaves.
  const int64_t half = radix / 2;
  auto joins = [&](int levels) {
    int64_t n = levels == 1 ? 1 : radix;
    for (int l = 3; l <= levels; ++l) n *= half;
    return n;
  };
  s.levels = 1;
  while (joins(s.levels) < s.leaves && s.levels < so.max_levels) ++s.levels;
  if (s.levels >= 3) {
    s.pod_leaves = static_cast<int>(half);
    s.pods = static_cast<int>((s.leaves + half - 1) / half);
  }
  if (joins(s.levels) < s.leaves) {
    s.problem = s.levels == 3 ? fmt::format("{} leaves need {} pods, more than a 3-level Clos of radix {} joins ({} at most)", s.leaves,
                                            s.pods, radix, radix)
                              : fmt::format("{} leaves are more than a {}-level Clos of radix {} joins ({} at most)", s.leaves, s.levels,
                                            radix, joins(s.levels));
    return s;
  }
  if (s.levels >= 4) {
    s.level_pods.assign(s.levels + 1, 0);
    s.level_positions.assign(s.levels + 1, 0);
    int64_t span = 1;  // leaves under one level-l pod
    for (int l = 2; l <= s.levels; ++l) {
      span *= half;
      s.level_pods[l] = l == s.levels ? 1 : (s.leaves + span - 1) / span;
      s.level_positions[l] = l == 2 ? s.up : s.level_positions[l - 1] * half;
    }
    s.pods = static_cast<int>(s.level_pods[s.levels - 1]);
  }
  if (s.levels >= 2) {
    // Each switch below the top links to a group of top switches (2 levels: a leaf to all `up`
    // spines; above: a switch to radix/2), each of which takes one link from every switch of its
    // position below. Bundle the most cables that still fit a top switch's ports.
    const int64_t group = s.levels == 2 ? s.up : half;
    const int64_t below = s.levels == 2 ? s.leaves : s.levels == 3 ? s.pods : s.level_pods[s.levels - 1];
    for (int64_t w = group; w >= 1; --w)
      if (group % w == 0 && below * w <= radix) {
        s.top_bundle = static_cast<int>(w);
        break;
      }
    if (s.levels >= 4) s.level_positions[s.levels] /= s.top_bundle;
  }
  return s;
}

// Scale-out: NICs on the chips' side (host links), leaves, and a folded Clos above them
// (2 levels while one spine can reach every leaf, else 3 with pods and cores). A rail-optimized
// fabric is the same Clos with NIC k of every rack on rail k's own leaves.
void ScaleOutTier::build(const ClusterShape& s, GraphParts& g) {
  const std::vector<int> nic_vertex = add_nics(s, g);
  striped_ = s.spec.rack.nics.striped;
  chip_nics_.assign(s.chips, {});
  chip_nic_offset_.assign(s.chips + 1, 0);
  if (striped_) attach_striped(s, g, nic_vertex);
  else attach_own_nics(s, g, nic_vertex);
  build_clos(s, g, nic_vertex);
  switch_links_end_ = g.link_count();
  index_switches(g);
}

std::vector<int> ScaleOutTier::add_nics(const ClusterShape& s, GraphParts& g) {
  const int npr = s.spec.rack.nics.count;
  std::vector<int> nic_vertex(npr * s.racks);
  const int first = g.add_vertices(VertexKind::nic, static_cast<int>(nic_vertex.size()),
                                   [npr](int i) { return fmt::format("r{}.nic{}", i / npr, i % npr); });
  for (size_t i = 0; i < nic_vertex.size(); ++i) nic_vertex[i] = first + static_cast<int>(i);
  return nic_vertex;
}

// Multi-channel collectives spread a chip's scale-out traffic over every NIC of its rack,
// through the rack's host (PCIe) switch.
void ScaleOutTier::attach_striped(const ClusterShape& s, GraphParts& g, const std::vector<int>& nic_vertex) {
  const auto& nic = s.spec.rack.nics;
  const int npr = nic.count, cpr = s.chips_per_rack;
  for (int r = 0; r < s.racks; ++r) {
    const int host = g.add_vertex(VertexKind::switch_, fmt::format("r{}.host", r));
    for (int local = 0; local < cpr; ++local) {
      const int id = g.add_link(r * cpr + local, host, nic.host_bandwidth_Bps, nic.host_latency_s, Tier::host);
      chip_host_up_.push_back(id);
      chip_host_down_.push_back(id + 1);
    }
    for (int k = 0; k < npr; ++k) {
      const int id = g.add_link(host, nic_vertex[r * npr + k], nic.bandwidth_Bps, 0.0, Tier::host);
      host_nic_up_.push_back(id);
      host_nic_down_.push_back(id + 1);
    }
  }
}

// Each chip on its own NICs (several per chip, or one NIC shared by several chips).
void ScaleOutTier::attach_own_nics(const ClusterShape& s, GraphParts& g, const std::vector<int>& nic_vertex) {
  const auto& nic = s.spec.rack.nics;
  const int npr = nic.count, cpr = s.chips_per_rack;
  for (int c = 0; c < s.chips; ++c) {
    const int rack = c / cpr, local = c % cpr;
    if (npr >= cpr) {
      const int k = npr / cpr;
      for (int j = 0; j < k; ++j) chip_nics_[c].push_back(rack * npr + local * k + j);
    } else {
      chip_nics_[c].push_back(rack * npr + local / (cpr / npr));
    }
    chip_nic_offset_[c + 1] = chip_nic_offset_[c] + static_cast<int>(chip_nics_[c].size());
    for (int n : chip_nics_[c]) {
      const int id = g.add_link(c, nic_vertex[n], nic.bandwidth_Bps, nic.host_latency_s, Tier::host);
      host_up_.push_back(id);
      host_down_.push_back(id + 1);
    }
  }
}

namespace {
// One link between two Clos switches: `cables` of the scale-out spec's links in a bundle.
void add_switch_link(GraphParts& g, int a, int b, const hw::ScaleOutSpec& so, int cables = 1) {
  g.add_link(a, b, so.link_bandwidth_Bps * cables, so.hop_latency_s, Tier::scale_out, cables);
}

// Adds a scale-out switch at a level (2 and up) and pod of the Clos; returns its vertex.
using AddSwitch = std::function<int(const std::string& name, int level, int64_t pod)>;

// Four levels or more (a k-ary n-tree folded at the top): a switch at position p of a level-l
// pod has radix/2 links down, one to position p' = p / (radix/2) of each level-(l-1) pod inside
// it (to the leaves themselves at level 2), and radix/2 up; the top level is one pod whose
// switches join every pod below. Switches are made level by level, then linked bottom up.
void add_upper_levels(const ClosShape& shape, const hw::ScaleOutSpec& so, const std::vector<int>& leaves, GraphParts& g,
                      const AddSwitch& add_switch) {
  const int64_t half = so.radix / 2;
  std::vector<std::vector<int>> at(shape.levels + 1);  // at[l][pod * positions + position]: vertex
  for (int l = 2; l <= shape.levels; ++l) {
    const int64_t pods = shape.level_pods[l], positions = shape.level_positions[l];
    at[l].resize(static_cast<size_t>(pods * positions));
    for (int64_t q = 0; q < pods; ++q)
      for (int64_t p = 0; p < positions; ++p) {
        const std::string name = l == shape.levels ? fmt::format("core{}", p) : fmt::format("l{}.pod{}.s{}", l, q, p);
        at[l][q * positions + p] = add_switch(name, l, q);
      }
  }
  for (int64_t leaf = 0; leaf < static_cast<int64_t>(leaves.size()); ++leaf)
    for (int64_t p = 0; p < shape.level_positions[2]; ++p)
      add_switch_link(g, leaves[leaf], at[2][(leaf / half) * shape.level_positions[2] + p], so);
  for (int l = 3; l <= shape.levels; ++l) {
    const int64_t below = shape.level_pods[l - 1], below_positions = shape.level_positions[l - 1];
    const int64_t positions = shape.level_positions[l];
    // Into the top level, bundles of top_bundle cables to half / top_bundle switches.
    const int cables = l == shape.levels ? shape.top_bundle : 1;
    const int64_t fan = half / cables;
    for (int64_t child = 0; child < below; ++child) {
      const int64_t q = l == shape.levels ? 0 : child / half;
      for (int64_t pc = 0; pc < below_positions; ++pc)
        for (int64_t c = 0; c < fan; ++c)
          add_switch_link(g, at[l - 1][child * below_positions + pc], at[l][q * positions + pc * fan + c], so, cables);
    }
  }
}

// Cables in each of a 3-level spine's `links` bundles to the cores: `full` for a pod of `pod_leaves`
// leaves; a partial last pod's spines carry no more up than comes down from their `leaves` (the
// Clos is 1:1 above the leaves), in thinner bundles to the same cores, so every route stays.
int spine_uplink_cables(int leaves, int pod_leaves, int links, int full) {
  if (leaves >= pod_leaves) return full;
  return std::max(1, (leaves + links - 1) / links);
}

// Spines above the leaves: one level of `shape.up` spines, or pods of spines under core switches.
void add_spines(const ClosShape& shape, const hw::ScaleOutSpec& so, const std::vector<int>& leaves, GraphParts& g,
                const AddSwitch& add_switch) {
  const int cables = shape.top_bundle;
  if (shape.levels == 2) {
    for (int sp = 0; sp < shape.up / cables; ++sp) {
      const int spine = add_switch(fmt::format("spine{}", sp), 2, 0);
      for (int leaf : leaves) add_switch_link(g, leaf, spine, so, cables);
    }
    return;
  }
  if (shape.levels >= 4) {
    add_upper_levels(shape, so, leaves, g, add_switch);
    return;
  }
  if (shape.levels != 3) return;
  const int cores_per_group = so.radix / 2 / cables;
  std::vector<int> cores(static_cast<size_t>(shape.up) * cores_per_group);
  for (size_t i = 0; i < cores.size(); ++i) {
    cores[i] = add_switch(fmt::format("core{}", i), 3, 0);
  }
  for (int p = 0; p < shape.pods; ++p) {
    const int first = p * shape.pod_leaves, last = std::min(shape.leaves, first + shape.pod_leaves);
    const int pod_cables = spine_uplink_cables(last - first, shape.pod_leaves, cores_per_group, cables);
    for (int sp = 0; sp < shape.up; ++sp) {
      const int spine = add_switch(fmt::format("pod{}.spine{}", p, sp), 2, p);
      for (int l = first; l < last; ++l) add_switch_link(g, leaves[l], spine, so);
      for (int c = 0; c < cores_per_group; ++c)
        add_switch_link(g, spine, cores[static_cast<size_t>(sp) * cores_per_group + c], so, pod_cables);
    }
  }
}
}  // namespace

void ScaleOutTier::build_clos(const ClusterShape& s, GraphParts& g, const std::vector<int>& nic_vertex) {
  const auto& nic = s.spec.rack.nics;
  const int npr = nic.count, nics = static_cast<int>(nic_vertex.size());
  const ClosShape shape = clos_shape(s.spec);
  const auto& so = s.spec.scale_out;
  std::vector<int> leaves(shape.leaves);
  for (int l = 0; l < shape.leaves; ++l) {
    leaves[l] = g.add_vertex(VertexKind::switch_, fmt::format("leaf{}", l));
    switches_.push_back(leaves[l]);
    place_.push_back({1, l});
  }
  span_ = clos_spans(shape, so.radix);
  nic_up_.assign(nics, -1);
  nic_down_.assign(nics, -1);
  nic_leaf_.assign(nics, -1);
  for (int i = 0; i < nics; ++i) {
    const int rack = i / npr, k = i % npr;
    // Rail: NIC k of every rack on rail k's leaves; Clos: NICs fill leaves in rack order.
    const int leaf = so.kind == hw::ScaleOutSpec::Kind::rail ? k * shape.leaves_per_group + rack / shape.down : i / shape.down;
    const int id = g.add_link(nic_vertex[i], leaves[leaf], nic.bandwidth_Bps, so.hop_latency_s, Tier::scale_out);
    nic_up_[i] = id;
    nic_down_[i] = id + 1;
    nic_leaf_[i] = leaves[leaf];
  }
  switch_links_begin_ = g.link_count();  // every link between two switches comes from here on
  add_spines(shape, so, leaves, g, [&](const std::string& name, int level, int64_t pod) {
    const int v = g.add_vertex(VertexKind::switch_, name);
    switches_.push_back(v);
    place_.push_back({level, pod});
    return v;
  });
}

// Leaves under one pod of each level: 1 at level 1, (radix/2)^(l-1) below the top (3 levels:
// pod_leaves, the same), 0 at the top, whose one pod joins every leaf.
std::vector<int64_t> clos_spans(const ClosShape& shape, int radix) {
  std::vector<int64_t> span(shape.levels + 1, 0);
  int64_t leaves = 1;
  for (int l = 1; l < shape.levels; ++l) {
    span[l] = leaves;
    leaves *= radix / 2;
  }
  return span;
}

ScaleOutTier::LeafDistance::LeafDistance(const ScaleOutTier& t, int leaf) : t_(t), pod_(t.span_.size(), 0) {
  for (size_t l = 1; l < pod_.size(); ++l) pod_[l] = t.span_[l] == 0 ? 0 : leaf / t.span_[l];
}

int ScaleOutTier::LeafDistance::operator()(int local) const {
  const ClosPlace& p = t_.place_[local];
  if (holds(local)) return p.level - 1;
  // The switch's pod at each level above, until it holds the leaf: (level - p.level) hops up,
  // then (level - 1) down.
  const int64_t first = p.pod * t_.span_[p.level];  // a leaf under the switch
  for (int l = p.level + 1; l < static_cast<int>(pod_.size()); ++l)
    if (t_.span_[l] == 0 || first / t_.span_[l] == pod_[l]) return (l - p.level) + (l - 1);
  RACKSCOPE_ASSERT(false, "the top level of a Clos joins every leaf");
  return -1;
}

int ScaleOutTier::nic_ways(int chip, int nics_per_rack) const {
  return striped_ ? nics_per_rack : static_cast<int>(chip_nics_[chip].size());
}

// The way-th of a chip's routes to the scale-out fabric: chip -> NIC (own NICs) or
// chip -> host switch -> NIC (striped). Adds `bytes` and returns the latency.
double ScaleOutTier::host_access(int chip, int way, int nics_per_rack, int chips_per_rack, const std::vector<Link>& links, double bytes,
                                 bool up, PhaseLoads& loads, int& nic) const {
  if (striped_) {
    nic = (chip / chips_per_rack) * nics_per_rack + way % nics_per_rack;
    const int a = up ? chip_host_up_[chip] : chip_host_down_[chip];
    const int b = up ? host_nic_up_[nic] : host_nic_down_[nic];
    loads.add(a, bytes);
    loads.add(b, bytes);
    return links[a].latency_s + links[b].latency_s;
  }
  const int k = way % static_cast<int>(chip_nics_[chip].size());
  nic = chip_nics_[chip][k];
  const int id = up ? host_up_[chip_nic_offset_[chip] + k] : host_down_[chip_nic_offset_[chip] + k];
  loads.add(id, bytes);
  return links[id].latency_s;
}

}  // namespace rackscope::fabric
