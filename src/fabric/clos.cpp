#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "fabric/clos_shape.hpp"
#include "fabric/fabric_impl.hpp"

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
  if (s.leaves == 1) {
    s.levels = 1;
  } else if (s.leaves <= radix) {
    s.levels = 2;
  } else {
    s.levels = 3;
    s.pod_leaves = radix / 2;
    s.pods = (s.leaves + s.pod_leaves - 1) / s.pod_leaves;
    if (s.pods > radix)
      s.problem = fmt::format("{} leaves need {} pods, more than a 3-level Clos of radix {} joins ({} at most)", s.leaves, s.pods,
                              radix, radix);
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
}

std::vector<int> ScaleOutTier::add_nics(const ClusterShape& s, GraphParts& g) {
  const int npr = s.spec.rack.nics.count;
  std::vector<int> nic_vertex(npr * s.racks);
  for (size_t i = 0; i < nic_vertex.size(); ++i)
    nic_vertex[i] = g.add_vertex(VertexKind::nic, fmt::format("r{}.nic{}", i / npr, i % npr));
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
// Spines above the leaves: one level of `shape.up` spines, or pods of spines under core switches.
void add_spines(const ClosShape& shape, const hw::ScaleOutSpec& so, const std::vector<int>& leaves, GraphParts& g,
                std::vector<int>& switches) {
  if (shape.levels == 2) {
    for (int sp = 0; sp < shape.up; ++sp) {
      const int spine = g.add_vertex(VertexKind::switch_, fmt::format("spine{}", sp));
      switches.push_back(spine);
      for (int leaf : leaves) g.add_link(leaf, spine, so.link_bandwidth_Bps, so.hop_latency_s, Tier::scale_out);
    }
    return;
  }
  if (shape.levels != 3) return;
  const int cores_per_group = so.radix / 2;
  std::vector<int> cores(static_cast<size_t>(shape.up) * cores_per_group);
  for (size_t i = 0; i < cores.size(); ++i) {
    cores[i] = g.add_vertex(VertexKind::switch_, fmt::format("core{}", i));
    switches.push_back(cores[i]);
  }
  for (int p = 0; p < shape.pods; ++p) {
    for (int sp = 0; sp < shape.up; ++sp) {
      const int spine = g.add_vertex(VertexKind::switch_, fmt::format("pod{}.spine{}", p, sp));
      switches.push_back(spine);
      for (int l = p * shape.pod_leaves; l < std::min(shape.leaves, (p + 1) * shape.pod_leaves); ++l)
        g.add_link(leaves[l], spine, so.link_bandwidth_Bps, so.hop_latency_s, Tier::scale_out);
      for (int c = 0; c < cores_per_group; ++c)
        g.add_link(spine, cores[static_cast<size_t>(sp) * cores_per_group + c], so.link_bandwidth_Bps, so.hop_latency_s,
                   Tier::scale_out);
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
  }
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
  add_spines(shape, so, leaves, g, switches_);
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
