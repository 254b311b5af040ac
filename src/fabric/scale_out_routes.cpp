// Routes across the scale-out fabric: chip -> NIC(s) -> leaf -> Clos (ECMP, spread later per
// leaf pair) -> leaf -> NIC -> chip, and the caches that make them cheap to ask for again.
#include <algorithm>

#include "fabric/fabric_impl.hpp"
#include "units/check.hpp"

namespace rackscope::fabric {

void ScaleOutTier::route(int a, int b, const ClusterShape& s, const GraphParts& g, double bytes, PhaseLoads& loads, Route* r) const {
  const std::vector<Link>& links = g.links;
  Route ignored;
  Route& out = r ? *r : ignored;
  const int n = s.chips_per_rack, npr = s.spec.rack.nics.count;
  if (striped_) {
    // Chip -> host switch, then every NIC pair of the two racks (spread at the end, per rack pair).
    const int rack = a / n, rack_b = b / n;
    loads.add(chip_host_up_[a], bytes);
    loads.add(chip_host_down_[b], bytes);
    loads.add_rack_pair(rack, rack_b, bytes);
    if (!r) return;
    const double between = rack_pair_latency(rack, rack_b, npr, g);
    out.latency_s += links[chip_host_up_[a]].latency_s + between + links[chip_host_down_[b]].latency_s;
    out.hops += 6;
    return;
  }
  const int ways = std::max(nic_ways(a, npr), nic_ways(b, npr));
  const double share = bytes / ways;
  double worst = 0;
  int worst_hops = 0;
  for (int j = 0; j < ways; ++j) {
    int nic_a = 0, nic_b = 0;
    double lat = host_access(a, j, npr, n, links, share, true, loads, nic_a);
    lat += host_access(b, j, npr, n, links, share, false, loads, nic_b);
    loads.add(nic_up_[nic_a], share);
    loads.add(nic_down_[nic_b], share);
    lat += links[nic_up_[nic_a]].latency_s + links[nic_down_[nic_b]].latency_s;
    int hops = 4;
    const int leaf_a = nic_leaf_[nic_a], leaf_b = nic_leaf_[nic_b];
    if (leaf_a != leaf_b) {
      loads.add_pending(leaf_a, leaf_b, share);
      if (r) {
        const PathSet& p = leaf_path(leaf_a, leaf_b, g);
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

double ScaleOutTier::egress_Bps(int chip, const std::vector<Link>& links) const {
  if (striped_) return links[chip_host_up_[chip]].bandwidth_Bps;
  double bandwidth = 0;
  for (int i = chip_nic_offset_[chip]; i < chip_nic_offset_[chip + 1]; ++i) bandwidth += links[host_up_[i]].bandwidth_Bps;
  return bandwidth;
}

double ScaleOutTier::rack_egress_Bps(int rack, int nics_per_rack, const std::vector<Link>& links) const {
  double bandwidth = 0;
  for (int k = 0; k < nics_per_rack; ++k) bandwidth += links[nic_up_[rack * nics_per_rack + k]].bandwidth_Bps;
  return bandwidth;
}

// The slowest NIC-to-NIC path between two striped racks, computed once per rack pair.
double ScaleOutTier::rack_pair_latency(int rack_a, int rack_b, int nics_per_rack, const GraphParts& g) const {
  const uint64_t key = (static_cast<uint64_t>(rack_a) << 32) | static_cast<uint32_t>(rack_b);
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = rack_pair_latency_.find(key);
    if (it != rack_pair_latency_.end()) return it->second;
  }
  const double between = spread_rack_pair(rack_a, rack_b, nics_per_rack, g, 0, nullptr);
  std::lock_guard<std::mutex> lock(cache_mutex_);
  rack_pair_latency_[key] = between;
  return between;
}

double ScaleOutTier::spread_rack_pair(int rack_a, int rack_b, int nics_per_rack, const GraphParts& g, double bytes,
                                      PhaseLoads* loads) const {
  const std::vector<Link>& links = g.links;
  const int npr = nics_per_rack;
  double worst = 0;
  for (int k = 0; k < npr; ++k) {
    const int nic_a = rack_a * npr + k, nic_b = rack_b * npr + k;
    const int leaf_a = nic_leaf_[nic_a], leaf_b = nic_leaf_[nic_b];
    if (loads) {
      const double share = bytes / npr;
      loads->add(host_nic_up_[nic_a], share);
      loads->add(nic_up_[nic_a], share);
      loads->add(nic_down_[nic_b], share);
      loads->add(host_nic_down_[nic_b], share);
      if (leaf_a != leaf_b) loads->add_pending(leaf_a, leaf_b, share);
    } else {
      double lat = links[host_nic_up_[nic_a]].latency_s + links[nic_up_[nic_a]].latency_s + links[nic_down_[nic_b]].latency_s +
                   links[host_nic_down_[nic_b]].latency_s;
      if (leaf_a != leaf_b) lat += leaf_path(leaf_a, leaf_b, g).latency_s;
      worst = std::max(worst, lat);
    }
  }
  return worst;
}

// The switch layers alone, indexed once the fabric is built (so a first evaluation does not pay
// for it): per switch, its links up and down the tree.
void ScaleOutTier::index_switches(const GraphParts& g) {
  SwitchGraph& sg = switch_graph_;
  sg.local.assign(g.kinds.size(), -1);
  for (size_t i = 0; i < switches_.size(); ++i) sg.local[switches_[i]] = static_cast<int>(i);
  sg.up.assign(switches_.size(), {});
  sg.down.assign(switches_.size(), {});
  sg.share.assign(switches_.size(), 0.0);
  // In link-id order, as the graph lists a switch's out-edges (the shares are summed in it);
  // only the links between switches, which the builder adds as one range (clos.cpp).
  for (int id = switch_links_begin_; id < switch_links_end_; ++id) {
    const int v = sg.local[g.links[id].from], w = sg.local[g.links[id].to];
    if (v >= 0 && w >= 0) (place_[w].level > place_[v].level ? sg.up : sg.down)[v].emplace_back(w, id);
  }
}

// ECMP between two leaves over the switch layers only, computed once per leaf pair: one unit of
// traffic pushed downhill from the source leaf, split equally among the next hops one hop
// closer to the destination (from the Clos's structure: ScaleOutTier::LeafDistance).
const PathSet& ScaleOutTier::leaf_path(int from_leaf, int to_leaf, const GraphParts& g) const {
  const uint64_t key = (static_cast<uint64_t>(from_leaf) << 32) | static_cast<uint32_t>(to_leaf);
  std::lock_guard<std::mutex> lock(cache_mutex_);
  auto it = leaf_paths_.find(key);
  if (it != leaf_paths_.end()) return it->second;
  SwitchGraph& sg = switch_graph_;
  const int src = sg.local[from_leaf], dst = sg.local[to_leaf];
  const LeafDistance dist(*this, dst);  // dst: a leaf, whose index among switches is its own
  PathSet out;
  out.hops = dist(src);
  std::vector<std::pair<int, double>> frontier = {{src, 1.0}};
  std::vector<double>& share = sg.share;
  // Collected in scratch, then copied at its exact size: a path across pods lists thousands of
  // links, and growing it in place would leave half of every path's memory unused.
  std::vector<std::pair<int, double>>& links = sg.links;
  links.clear();
  std::vector<std::pair<int, int>> next_hops;
  double latency = 0;
  while (!frontier.empty() && frontier.front().first != dst) {
    std::vector<int> next_vertices;
    double step_latency = 0;
    for (const auto& [v, part] : frontier) {
      // One hop closer: every switch above while v's pod does not hold the destination (the
      // tree's up paths are all equally short), else the one below whose pod holds it.
      const std::vector<std::pair<int, int>>* hops = &sg.up[v];
      if (dist.holds(v)) {
        next_hops.clear();
        for (const auto& [w, link] : sg.down[v])
          if (dist.holds(w)) next_hops.emplace_back(w, link);
        hops = &next_hops;
      }
      const int ways = static_cast<int>(hops->size());
      for (const auto& [w, link] : *hops) {
        links.emplace_back(link, part / ways);
        step_latency = std::max(step_latency, g.links[link].latency_s);
        if (share[w] == 0.0) next_vertices.push_back(w);
        share[w] += part / ways;
      }
    }
    latency += step_latency;
    frontier.clear();
    for (int w : next_vertices) frontier.emplace_back(w, share[w]), share[w] = 0.0;
  }
  out.latency_s = latency;
  out.links.assign(links.begin(), links.end());
  return leaf_paths_.emplace(key, std::move(out)).first->second;
}

}  // namespace rackscope::fabric
