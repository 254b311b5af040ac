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
void Fabric::Impl::build_scale_out() {
  const auto& nic = spec.rack.nics;
  const int npr = nic.count;
  const int cpr = chips_per_rack;
  const int nics = npr * racks;
  std::vector<int> nic_vertex(nics);
  for (int i = 0; i < nics; ++i) nic_vertex[i] = add_vertex(VertexKind::nic, fmt::format("r{}.nic{}", i / npr, i % npr));

  striped = nic.striped;
  chip_nics.assign(chips, {});
  chip_nic_offset.assign(chips + 1, 0);
  if (striped) {
    // Multi-channel collectives spread a chip's scale-out traffic over every NIC of its rack,
    // through the rack's host (PCIe) switch.
    for (int r = 0; r < racks; ++r) {
      const int host = add_vertex(VertexKind::switch_, fmt::format("r{}.host", r));
      for (int local = 0; local < cpr; ++local) {
        const int id = add_link(r * cpr + local, host, nic.host_bandwidth_Bps, nic.host_latency_s, Tier::host);
        chip_host_up.push_back(id);
        chip_host_down.push_back(id + 1);
      }
      for (int k = 0; k < npr; ++k) {
        const int id = add_link(host, nic_vertex[r * npr + k], nic.bandwidth_Bps, 0.0, Tier::host);
        host_nic_up.push_back(id);
        host_nic_down.push_back(id + 1);
      }
    }
  } else {
    for (int c = 0; c < chips; ++c) {
      const int rack = c / cpr, local = c % cpr;
      if (npr >= cpr) {
        const int k = npr / cpr;
        for (int j = 0; j < k; ++j) chip_nics[c].push_back(rack * npr + local * k + j);
      } else {
        chip_nics[c].push_back(rack * npr + local / (cpr / npr));
      }
      chip_nic_offset[c + 1] = chip_nic_offset[c] + static_cast<int>(chip_nics[c].size());
      for (int n : chip_nics[c]) {
        const int id = add_link(c, nic_vertex[n], nic.bandwidth_Bps, nic.host_latency_s, Tier::host);
        host_up.push_back(id);
        host_down.push_back(id + 1);
      }
    }
  }

  const ClosShape shape = clos_shape(spec);
  const auto& so = spec.scale_out;
  std::vector<int> leaves(shape.leaves);
  for (int l = 0; l < shape.leaves; ++l) {
    leaves[l] = add_vertex(VertexKind::switch_, fmt::format("leaf{}", l));
    so_switches.push_back(leaves[l]);
  }
  nic_up.assign(nics, -1);
  nic_down.assign(nics, -1);
  nic_leaf.assign(nics, -1);
  for (int i = 0; i < nics; ++i) {
    const int rack = i / npr, k = i % npr;
    // Rail: NIC k of every rack on rail k's leaves; Clos: NICs fill leaves in rack order.
    const int leaf = so.kind == hw::ScaleOutSpec::Kind::rail ? k * shape.leaves_per_group + rack / shape.down : i / shape.down;
    const int id = add_link(nic_vertex[i], leaves[leaf], nic.bandwidth_Bps, so.hop_latency_s, Tier::scale_out);
    nic_up[i] = id;
    nic_down[i] = id + 1;
    nic_leaf[i] = leaves[leaf];
  }
  if (shape.levels == 2) {
    for (int s = 0; s < shape.up; ++s) {
      const int spine = add_vertex(VertexKind::switch_, fmt::format("spine{}", s));
      so_switches.push_back(spine);
      for (int leaf : leaves) add_link(leaf, spine, so.link_bandwidth_Bps, so.hop_latency_s, Tier::scale_out);
    }
  } else if (shape.levels == 3) {
    const int cores_per_group = so.radix / 2;
    std::vector<int> cores(static_cast<size_t>(shape.up) * cores_per_group);
    for (size_t i = 0; i < cores.size(); ++i) {
      cores[i] = add_vertex(VertexKind::switch_, fmt::format("core{}", i));
      so_switches.push_back(cores[i]);
    }
    for (int p = 0; p < shape.pods; ++p) {
      for (int s = 0; s < shape.up; ++s) {
        const int spine = add_vertex(VertexKind::switch_, fmt::format("pod{}.spine{}", p, s));
        so_switches.push_back(spine);
        for (int l = p * shape.pod_leaves; l < std::min(shape.leaves, (p + 1) * shape.pod_leaves); ++l)
          add_link(leaves[l], spine, so.link_bandwidth_Bps, so.hop_latency_s, Tier::scale_out);
        for (int c = 0; c < cores_per_group; ++c)
          add_link(spine, cores[static_cast<size_t>(s) * cores_per_group + c], so.link_bandwidth_Bps, so.hop_latency_s,
                   Tier::scale_out);
      }
    }
  }
}

int Fabric::Impl::nic_ways(int chip) const {
  return striped ? spec.rack.nics.count : static_cast<int>(chip_nics[chip].size());
}

// The way-th of a chip's `ways` routes to the scale-out fabric: chip -> NIC (own NICs) or
// chip -> host switch -> NIC (striped). Adds `bytes` and returns the latency.
double Fabric::Impl::host_access(int chip, int way, int ways, double bytes, bool up, PhaseLoads& loads, int& nic) const {
  if (striped) {
    const int npr = spec.rack.nics.count;
    nic = (chip / chips_per_rack) * npr + way % npr;
    const int a = up ? chip_host_up[chip] : chip_host_down[chip];
    const int b = up ? host_nic_up[nic] : host_nic_down[nic];
    loads.add(a, bytes);
    loads.add(b, bytes);
    return links[a].latency_s + links[b].latency_s;
  }
  const int k = way % static_cast<int>(chip_nics[chip].size());
  (void)ways;
  nic = chip_nics[chip][k];
  const int id = up ? host_up[chip_nic_offset[chip] + k] : host_down[chip_nic_offset[chip] + k];
  loads.add(id, bytes);
  return links[id].latency_s;
}

// ECMP between two leaves over the switch layers only, computed once per leaf pair: hop
// distances to the destination leaf by BFS over the switch graph (once per destination), then
// one unit of traffic pushed downhill, split equally among the next hops one hop closer.
const PathSet& Fabric::Impl::leaf_path(int from_leaf, int to_leaf) const {
  const uint64_t key = (static_cast<uint64_t>(from_leaf) << 32) | static_cast<uint32_t>(to_leaf);
  std::lock_guard<std::mutex> lock(cache_mutex);
  auto it = leaf_paths.find(key);
  if (it != leaf_paths.end()) return it->second;
  SwitchGraph& sg = switch_graph;
  if (sg.out.empty()) {
    sg.local.assign(kinds.size(), -1);
    for (size_t i = 0; i < so_switches.size(); ++i) sg.local[so_switches[i]] = static_cast<int>(i);
    sg.out.assign(so_switches.size(), {});
    sg.in.assign(so_switches.size(), {});
    for (size_t i = 0; i < so_switches.size(); ++i)
      for (auto [e, end] = boost::out_edges(so_switches[i], graph); e != end; ++e) {
        const int w = sg.local[boost::target(*e, graph)];
        if (w < 0) continue;
        sg.out[i].emplace_back(w, graph[*e].id);
        sg.in[w].push_back(static_cast<int>(i));
      }
  }
  const int src = sg.local[from_leaf], dst = sg.local[to_leaf];
  std::vector<int>& dist = distance_to_leaf[dst];
  if (dist.empty()) {
    dist.assign(so_switches.size(), -1);
    std::vector<int> queue = {dst};
    dist[dst] = 0;
    for (size_t head = 0; head < queue.size(); ++head)
      for (int u : sg.in[queue[head]])
        if (dist[u] < 0) dist[u] = dist[queue[head]] + 1, queue.push_back(u);
  }
  PathSet out;
  if (dist[src] < 0) return leaf_paths.emplace(key, out).first->second;
  out.hops = dist[src];
  std::vector<std::pair<int, double>> frontier = {{src, 1.0}};
  std::vector<double> share(so_switches.size(), 0.0);
  double latency = 0;
  while (!frontier.empty() && frontier.front().first != dst) {
    std::vector<int> next_vertices;
    double step_latency = 0;
    for (const auto& [v, part] : frontier) {
      int ways = 0;
      for (const auto& [w, link] : sg.out[v]) ways += dist[w] == dist[v] - 1;
      for (const auto& [w, link] : sg.out[v]) {
        if (dist[w] != dist[v] - 1) continue;
        out.links.emplace_back(link, part / ways);
        step_latency = std::max(step_latency, links[link].latency_s);
        if (share[w] == 0.0) next_vertices.push_back(w);
        share[w] += part / ways;
      }
    }
    latency += step_latency;
    frontier.clear();
    for (int w : next_vertices) frontier.emplace_back(w, share[w]), share[w] = 0.0;
  }
  out.latency_s = latency;
  return leaf_paths.emplace(key, std::move(out)).first->second;
}

}  // namespace rackscope::fabric
