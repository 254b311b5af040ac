#include <algorithm>

#include "fabric/fabric_impl.hpp"

namespace rackscope::fabric {

void PhaseLoads::clear() {
  for (int l : touched_) bytes_[l] = 0.0;
  touched_.clear();
  pending_.clear();
  rack_pairs_.clear();
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
  r.latency_s = m.g.links[m.core_up[src]].latency_s + m.g.links[m.core_down[dst]].latency_s;
  r.hops = 2;
  const int a = chip_of(src), b = chip_of(dst);
  m.dies.route(src, dst, a == b, ranks_per_chip_, m.g.links, bytes, loads, r);
  if (a != b) between_chips(a, b, bytes, loads, &r);
  return r;
}

void Fabric::route_ends(int src, int dst, double bytes, PhaseLoads& loads) const {
  const Impl& m = *impl_;
  if (src == dst) return;
  loads.add(m.core_up[src], bytes);
  loads.add(m.core_down[dst], bytes);
  Route ignored;
  m.dies.route(src, dst, chip_of(src) == chip_of(dst), ranks_per_chip_, m.g.links, bytes, loads, ignored);
}

void Fabric::route_chips(int chip_a, int chip_b, double bytes, PhaseLoads& loads) const {
  if (chip_a != chip_b && bytes > 0) between_chips(chip_a, chip_b, bytes, loads, nullptr);
}

// Adds the loads between chips a != b; with `r`, their latency and hops too.
void Fabric::between_chips(int a, int b, double bytes, PhaseLoads& loads, Route* r) const {
  const Impl& m = *impl_;
  const int n = m.shape.chips_per_rack;
  const int rack = a / n;
  if (rack != b / n) return m.out.route(a, b, m.shape, m.g, bytes, loads, r);
  Route ignored;
  m.up.route(a % n, b % n, rack, m.g.links, bytes, loads, r ? *r : ignored);
}

double Fabric::route_to_switch(int endpoint, double bytes, bool up, PhaseLoads& loads) const {
  const Impl& m = *impl_;
  const int chip = chip_of(endpoint);
  const int core = up ? m.core_up[endpoint] : m.core_down[endpoint];
  loads.add(core, bytes);
  double die_latency = 0;
  if (m.dies.several()) {
    const int die_link = m.dies.up_link(chip, endpoint % ranks_per_chip_) + (up ? 0 : 1);
    loads.add(die_link, bytes);
    die_latency = m.g.links[die_link].latency_s;
  }
  const double latency = m.up.route_to_switch(chip % m.shape.chips_per_rack, chip / m.shape.chips_per_rack, up, m.g.links, bytes, loads);
  return latency + m.g.links[core].latency_s + die_latency;
}

double Fabric::max_link_time(PhaseLoads& loads) const {
  const Impl& m = *impl_;
  const int npr = m.shape.spec.rack.nics.count;
  for (const auto& [key, bytes] : loads.rack_pairs_)
    m.out.spread_rack_pair(static_cast<int>(key >> 32), static_cast<int>(key & 0xffffffffu), npr, m.g, bytes, &loads);
  loads.rack_pairs_.clear();
  for (const auto& [key, bytes] : loads.pending_) {
    const PathSet& p = m.out.leaf_path(static_cast<int>(key >> 32), static_cast<int>(key & 0xffffffffu), m.g);
    for (const auto& [link, share] : p.links) loads.add(link, bytes * share);
  }
  loads.pending_.clear();
  double worst = 0;
  for (int l : loads.touched()) worst = std::max(worst, loads.bytes(l) / m.g.links[l].bandwidth_Bps);
  return worst;
}

// Racks in order; inside a torus rack, boustrophedon (snake) order, in which consecutive chips
// are torus neighbours and, for an even number of rows, the last is a neighbour of the first.
std::vector<int> Fabric::ring_order(std::vector<int> endpoints) const {
  const Impl& m = *impl_;
  const std::vector<int>& dims = m.up.torus_dims();
  const int cpr = m.shape.chips_per_rack;
  const int nd = static_cast<int>(dims.size());
  // One key per endpoint, computed once: (rack, snake index of the chip, core).
  std::vector<std::pair<long long, int>> keyed;
  keyed.reserve(endpoints.size());
  for (int endpoint : endpoints) {
    const int chip = chip_of(endpoint);
    long long local = chip % cpr;
    if (nd > 0) {
      int coord[16];
      int rest = static_cast<int>(local);
      for (int d = 0; d < nd; ++d) coord[d] = rest % dims[d], rest /= dims[d];
      long long index = 0;
      for (int d = nd - 1; d >= 0; --d) {
        const bool reverse = index % 2 == 1;
        index = index * dims[d] + (reverse ? dims[d] - 1 - coord[d] : coord[d]);
      }
      local = index;
    }
    const long long rack = chip / cpr;
    keyed.emplace_back((rack * cpr + local) * ranks_per_chip_ + endpoint % ranks_per_chip_, endpoint);
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < keyed.size(); ++i) endpoints[i] = keyed[i].second;
  return endpoints;
}

}  // namespace rackscope::fabric
