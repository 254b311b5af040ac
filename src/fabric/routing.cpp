#include <algorithm>

#include "fabric/fabric_impl.hpp"

namespace rackscope::fabric {

void PhaseLoads::clear() {
  for (int l : touched_) bytes_[l] = 0.0;
  touched_.clear();
  pending_.clear();
}

// Inside a rack: the rack's own fabric (dimension order or ECMP). Between racks: chip -> its
// NIC(s) -> leaf -> Clos (ECMP, spread later per leaf pair) -> leaf -> NIC -> chip.
Route Fabric::route(int src, int dst, double bytes, PhaseLoads& loads) const {
  const Impl& m = *impl_;
  Route r;
  if (src == dst) {
    loads.add(m.onchip_link[src], bytes);
    r.latency_s = m.links[m.onchip_link[src]].latency_s;
    return r;
  }
  const int n = m.chips_per_rack;
  const int rack = src / n;
  if (rack == dst / n) {
    if (!m.dims.empty()) {
      m.route_torus(src % n, dst % n, rack, bytes, loads, r);
    } else {
      const PathSet& p = m.local_paths[static_cast<size_t>(src % n) * n + dst % n];
      const int shift = rack * m.rack_links;
      for (const auto& [link, share] : p.links) loads.add(link + shift, bytes * share);
      r.latency_s = p.latency_s;
      r.hops = p.hops;
    }
    return r;
  }
  const auto& a = m.chip_nics[src];
  const auto& b = m.chip_nics[dst];
  const size_t ways = std::max(a.size(), b.size());
  const double share = bytes / static_cast<double>(ways);
  for (size_t j = 0; j < ways; ++j) {
    const size_t ia = j % a.size(), ib = j % b.size();
    const int nic_a = a[ia], nic_b = b[ib];
    loads.add(m.host_up[m.chip_nic_offset[src] + ia], share);
    loads.add(m.nic_up[nic_a], share);
    loads.add(m.nic_down[nic_b], share);
    loads.add(m.host_down[m.chip_nic_offset[dst] + ib], share);
    const int leaf_a = m.nic_leaf[nic_a], leaf_b = m.nic_leaf[nic_b];
    double lat = m.links[m.host_up[m.chip_nic_offset[src] + ia]].latency_s + m.links[m.nic_up[nic_a]].latency_s +
                 m.links[m.nic_down[nic_b]].latency_s + m.links[m.host_down[m.chip_nic_offset[dst] + ib]].latency_s;
    int hops = 4;
    if (leaf_a != leaf_b) {
      loads.add_pending(leaf_a, leaf_b, share);
      const PathSet& p = m.leaf_path(leaf_a, leaf_b);
      lat += p.latency_s;
      hops += p.hops;
    }
    r.latency_s = std::max(r.latency_s, lat);
    r.hops = std::max(r.hops, hops);
  }
  return r;
}

double Fabric::route_to_switch(int chip, double bytes, bool up, PhaseLoads& loads) const {
  const Impl& m = *impl_;
  const int local = chip % m.chips_per_rack;
  const int shift = (chip / m.chips_per_rack) * m.rack_links;
  const auto& ids = up ? m.switch_up[local] : m.switch_down[local];
  double latency = 0;
  for (int id : ids) {
    loads.add(id + shift, bytes / static_cast<double>(ids.size()));
    latency = std::max(latency, m.links[id].latency_s);
  }
  return latency;
}

double Fabric::max_link_time(PhaseLoads& loads) const {
  const Impl& m = *impl_;
  for (const auto& [key, bytes] : loads.pending_) {
    const PathSet& p = m.leaf_path(static_cast<int>(key >> 32), static_cast<int>(key & 0xffffffffu));
    for (const auto& [link, share] : p.links) loads.add(link, bytes * share);
  }
  loads.pending_.clear();
  double worst = 0;
  for (int l : loads.touched()) worst = std::max(worst, loads.bytes(l) / m.links[l].bandwidth_Bps);
  return worst;
}

// Racks in order; inside a torus rack, boustrophedon (snake) order, in which consecutive chips
// are torus neighbours and, for an even number of rows, the last is a neighbour of the first.
std::vector<int> Fabric::ring_order(std::vector<int> chips) const {
  const Impl& m = *impl_;
  auto key = [&](int chip) -> long long {
    const int rack = chip / m.chips_per_rack;
    long long local = chip % m.chips_per_rack;
    if (!m.dims.empty()) {
      std::vector<int> c = torus_coords(chip);
      long long index = 0;
      for (int d = static_cast<int>(m.dims.size()) - 1; d >= 0; --d) {
        const bool reverse = index % 2 == 1;
        index = index * m.dims[d] + (reverse ? m.dims[d] - 1 - c[d] : c[d]);
      }
      local = index;
    }
    return static_cast<long long>(rack) * m.chips_per_rack + local;
  };
  std::stable_sort(chips.begin(), chips.end(), [&](int a, int b) { return key(a) < key(b); });
  return chips;
}

}  // namespace rackscope::fabric
