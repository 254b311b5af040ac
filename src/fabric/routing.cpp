#include <algorithm>

#include "fabric/fabric_impl.hpp"

namespace rackscope::fabric {

void PhaseLoads::clear() {
  for (int l : touched_) bytes_[l] = 0.0;
  touched_.clear();
  pending_.clear();
  rack_pairs_.clear();
}

double Fabric::Impl::spread_rack_pair(int rack_a, int rack_b, double bytes, PhaseLoads* loads) const {
  const int npr = spec.rack.nics.count;
  double worst = 0;
  for (int k = 0; k < npr; ++k) {
    const int nic_a = rack_a * npr + k, nic_b = rack_b * npr + k;
    const int leaf_a = nic_leaf[nic_a], leaf_b = nic_leaf[nic_b];
    if (loads) {
      const double share = bytes / npr;
      loads->add(host_nic_up[nic_a], share);
      loads->add(nic_up[nic_a], share);
      loads->add(nic_down[nic_b], share);
      loads->add(host_nic_down[nic_b], share);
      if (leaf_a != leaf_b) loads->add_pending(leaf_a, leaf_b, share);
    } else {
      double lat = links[host_nic_up[nic_a]].latency_s + links[nic_up[nic_a]].latency_s + links[nic_down[nic_b]].latency_s +
                   links[host_nic_down[nic_b]].latency_s;
      if (leaf_a != leaf_b) lat += leaf_path(leaf_a, leaf_b).latency_s;
      worst = std::max(worst, lat);
    }
  }
  return worst;
}

// Out of the source core, then between chips: inside a rack over the rack's own fabric
// (dimension order or ECMP); between racks chip -> NIC(s) -> leaf -> Clos (ECMP, spread later
// per leaf pair) -> leaf -> NIC -> chip; then into the destination core.
Route Fabric::route(int src, int dst, double bytes, PhaseLoads& loads) const {
  const Impl& m = *impl_;
  Route r;
  if (src == dst) return r;
  loads.add(m.core_up[src], bytes);
  loads.add(m.core_down[dst], bytes);
  r.latency_s = m.links[m.core_up[src]].latency_s + m.links[m.core_down[dst]].latency_s;
  r.hops = 2;
  const int a = chip_of(src), b = chip_of(dst);
  m.route_dies(src, dst, a == b, bytes, loads, r);
  if (a != b) between_chips(a, b, bytes, loads, &r);
  return r;
}

void Fabric::route_ends(int src, int dst, double bytes, PhaseLoads& loads) const {
  const Impl& m = *impl_;
  if (src == dst) return;
  loads.add(m.core_up[src], bytes);
  loads.add(m.core_down[dst], bytes);
  Route ignored;
  m.route_dies(src, dst, chip_of(src) == chip_of(dst), bytes, loads, ignored);
}

void Fabric::route_chips(int chip_a, int chip_b, double bytes, PhaseLoads& loads) const {
  if (chip_a != chip_b && bytes > 0) between_chips(chip_a, chip_b, bytes, loads, nullptr);
}

// Adds the loads between chips a != b; with `r`, their latency and hops too.
void Fabric::between_chips(int a, int b, double bytes, PhaseLoads& loads, Route* r) const {
  const Impl& m = *impl_;
  Route ignored;
  Route& out = r ? *r : ignored;
  const int n = m.chips_per_rack;
  const int rack = a / n;
  if (rack == b / n) {
    if (!m.dims.empty()) {
      m.route_torus(a % n, b % n, rack, bytes, loads, out);
    } else {
      const PathSet& p = m.local_paths[static_cast<size_t>(a % n) * n + b % n];
      const int shift = rack * m.rack_links;
      for (const auto& [link, share] : p.links) loads.add(link + shift, bytes * share);
      out.latency_s += p.latency_s;
      out.hops += p.hops;
    }
    return;
  }
  if (m.striped) {
    // Chip -> host switch, then every NIC pair of the two racks (spread at the end, per rack pair).
    const int rack_b = b / n;
    loads.add(m.chip_host_up[a], bytes);
    loads.add(m.chip_host_down[b], bytes);
    loads.add_rack_pair(rack, rack_b, bytes);
    if (!r) return;
    const uint64_t key = (static_cast<uint64_t>(rack) << 32) | static_cast<uint32_t>(rack_b);
    double between;
    {
      std::lock_guard<std::mutex> lock(m.cache_mutex);
      auto it = m.rack_pair_latency.find(key);
      between = it != m.rack_pair_latency.end() ? it->second : -1;
    }
    if (between < 0) {
      between = m.spread_rack_pair(rack, rack_b, 0, nullptr);
      std::lock_guard<std::mutex> lock(m.cache_mutex);
      m.rack_pair_latency[key] = between;
    }
    out.latency_s += m.links[m.chip_host_up[a]].latency_s + between + m.links[m.chip_host_down[b]].latency_s;
    out.hops += 6;
    return;
  }
  const int ways = std::max(m.nic_ways(a), m.nic_ways(b));
  const double share = bytes / ways;
  double worst = 0;
  int worst_hops = 0;
  for (int j = 0; j < ways; ++j) {
    int nic_a = 0, nic_b = 0;
    double lat = m.host_access(a, j, ways, share, true, loads, nic_a);
    lat += m.host_access(b, j, ways, share, false, loads, nic_b);
    loads.add(m.nic_up[nic_a], share);
    loads.add(m.nic_down[nic_b], share);
    lat += m.links[m.nic_up[nic_a]].latency_s + m.links[m.nic_down[nic_b]].latency_s;
    int hops = 4;
    const int leaf_a = m.nic_leaf[nic_a], leaf_b = m.nic_leaf[nic_b];
    if (leaf_a != leaf_b) {
      loads.add_pending(leaf_a, leaf_b, share);
      if (r) {
        const PathSet& p = m.leaf_path(leaf_a, leaf_b);
        lat += p.latency_s;
        hops += p.hops;
      }
    }
    worst = std::max(worst, lat);
    worst_hops = std::max(worst_hops, hops);
  }
  out.latency_s += worst;
  out.hops += worst_hops;
}

double Fabric::route_to_switch(int endpoint, double bytes, bool up, PhaseLoads& loads) const {
  const Impl& m = *impl_;
  const int chip = chip_of(endpoint);
  const int local = chip % m.chips_per_rack;
  const int shift = (chip / m.chips_per_rack) * m.rack_links;
  const int core = up ? m.core_up[endpoint] : m.core_down[endpoint];
  loads.add(core, bytes);
  double die_latency = 0;
  if (m.dies > 1) {
    const int die_link = m.die_up[chip * m.dies + m.rank_die[endpoint % m.ranks_per_chip]] + (up ? 0 : 1);
    loads.add(die_link, bytes);
    die_latency = m.links[die_link].latency_s;
  }
  const auto& ids = up ? m.switch_up[local] : m.switch_down[local];
  double latency = 0;
  for (int id : ids) {
    loads.add(id + shift, bytes / static_cast<double>(ids.size()));
    latency = std::max(latency, m.links[id].latency_s);
  }
  return latency + m.links[core].latency_s + die_latency;
}

double Fabric::max_link_time(PhaseLoads& loads) const {
  const Impl& m = *impl_;
  for (const auto& [key, bytes] : loads.rack_pairs_)
    m.spread_rack_pair(static_cast<int>(key >> 32), static_cast<int>(key & 0xffffffffu), bytes, &loads);
  loads.rack_pairs_.clear();
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
std::vector<int> Fabric::ring_order(std::vector<int> endpoints) const {
  const Impl& m = *impl_;
  const int nd = static_cast<int>(m.dims.size());
  // One key per endpoint, computed once: (rack, snake index of the chip, core).
  std::vector<std::pair<long long, int>> keyed;
  keyed.reserve(endpoints.size());
  for (int endpoint : endpoints) {
    const int chip = chip_of(endpoint);
    long long local = chip % m.chips_per_rack;
    if (nd > 0) {
      int coord[16];
      int rest = static_cast<int>(local);
      for (int d = 0; d < nd; ++d) coord[d] = rest % m.dims[d], rest /= m.dims[d];
      long long index = 0;
      for (int d = nd - 1; d >= 0; --d) {
        const bool reverse = index % 2 == 1;
        index = index * m.dims[d] + (reverse ? m.dims[d] - 1 - coord[d] : coord[d]);
      }
      local = index;
    }
    const long long rack = chip / m.chips_per_rack;
    keyed.emplace_back((rack * m.chips_per_rack + local) * m.ranks_per_chip + endpoint % m.ranks_per_chip, endpoint);
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < keyed.size(); ++i) endpoints[i] = keyed[i].second;
  return endpoints;
}

}  // namespace rackscope::fabric
