// Chips of several compute dies: every die is a vertex, cores hang off their die, dies join
// the chip (its off-chip ports) and each other through the package's die-to-die links.
#include <fmt/format.h>

#include "fabric/fabric_impl.hpp"

namespace rackscope::fabric {

void Fabric::Impl::build_dies() {
  const hw::Chip& chip = spec.rack.chip;
  dies = chip.dies;
  rank_die = chip.rank_die;
  die_base = static_cast<int>(kinds.size());
  for (int c = 0; c < chips; ++c)
    for (int d = 0; d < dies; ++d) add_vertex(VertexKind::die, fmt::format("{}.die{}", names[c], d));
  std::vector<int> ranks_on(dies, 0);
  for (int d : rank_die) ++ranks_on[d];
  const int first = static_cast<int>(links.size());
  for (int c = 0; c < chips; ++c) {
    // Where the off-chip ports sit on the dies is not published: every die reaches them
    // directly, through a link as wide as its cores' links together (never the narrowest).
    for (int d = 0; d < dies; ++d)
      die_up.push_back(add_link(die_base + c * dies + d, c, ranks_on[d] * chip.core_bandwidth_Bps, 0, Tier::on_chip));
    for (const auto& l : chip.die_links)
      add_link(die_base + c * dies + l.a, die_base + c * dies + l.b, l.bandwidth_Bps, l.latency_s, Tier::die_to_die);
    if (c == 0) chip_die_links = static_cast<int>(links.size()) - first;
  }
  // Routes between dies of chip 0, over die vertices only (never through the chip vertex).
  std::vector<char> forwards(kinds.size(), 0);
  for (int d = 0; d < dies; ++d) forwards[die_base + d] = 1;
  die_paths.assign(static_cast<size_t>(dies) * dies, {});
  for (int a = 0; a < dies; ++a)
    for (int b = 0; b < dies; ++b)
      if (a != b) die_paths[a * dies + b] = ecmp_paths(graph, links, die_base + a, die_base + b, forwards);
}

void Fabric::Impl::route_dies(int src, int dst, bool same_chip, double bytes, PhaseLoads& loads, Route& r) const {
  if (dies == 1) return;
  const int chip_a = src / ranks_per_chip, chip_b = dst / ranks_per_chip;
  const int die_a = rank_die[src % ranks_per_chip], die_b = rank_die[dst % ranks_per_chip];
  if (same_chip) {
    if (die_a == die_b) return;
    const PathSet& p = die_paths[die_a * dies + die_b];
    const int shift = chip_a * chip_die_links;
    for (const auto& [link, share] : p.links) loads.add(link + shift, bytes * share);
    r.latency_s += p.latency_s;
    r.hops += p.hops;
    return;
  }
  const int up = die_up[chip_a * dies + die_a], down = die_up[chip_b * dies + die_b] + 1;
  loads.add(up, bytes);
  loads.add(down, bytes);
  r.latency_s += links[up].latency_s + links[down].latency_s;
  r.hops += 2;
}

}  // namespace rackscope::fabric
