// Chips of several compute dies: every die is a vertex, cores hang off their die, dies join
// the chip (its off-chip ports) and each other through the package's die-to-die links.
#include <fmt/format.h>

#include "fabric/fabric_impl.hpp"

namespace rackscope::fabric {

void DieTier::build(const ClusterShape& s, GraphParts& g) {
  const hw::Chip& chip = s.spec.rack.chip;
  dies_ = chip.dies;
  rank_die_ = chip.rank_die;
  base_ = g.add_vertices(VertexKind::die, s.chips * dies_, [dies = dies_, cpr = s.chips_per_rack](int i) {
    const int c = i / dies;
    return fmt::format("r{}.chip{}.die{}", c / cpr, c % cpr, i % dies);
  });
  std::vector<int> ranks_on(dies_, 0);
  for (int d : rank_die_) ++ranks_on[d];
  const int first = g.link_count();
  for (int c = 0; c < s.chips; ++c) {
    // Where the off-chip ports sit on the dies is not published: every die reaches them
    // directly, through a link as wide as its cores' links together (never the narrowest).
    for (int d = 0; d < dies_; ++d)
      up_.push_back(g.add_link(base_ + c * dies_ + d, c, ranks_on[d] * chip.core_bandwidth_Bps, 0, Tier::on_chip));
    for (const auto& l : chip.die_links)
      g.add_link(base_ + c * dies_ + l.a, base_ + c * dies_ + l.b, l.bandwidth_Bps, l.latency_s, Tier::die_to_die);
    if (c == 0) chip_links_ = g.link_count() - first;
  }
  // Routes between dies of chip 0, over its die links only (never through the chip vertex).
  const LinkSubgraph chip0 = link_subgraph(g.links, first, chip_links_, [&](int v) { return v >= base_ && v < base_ + dies_; });
  std::vector<int> dies(dies_);
  for (int d = 0; d < dies_; ++d) dies[d] = base_ + d;
  paths_ = ecmp_table(chip0, g.links, dies, 0);
}

void DieTier::route(int src, int dst, bool same_chip, int ranks_per_chip, const std::vector<Link>& links, double bytes, PhaseLoads& loads,
                    Route& r) const {
  if (dies_ == 1) return;
  const int chip_a = src / ranks_per_chip, chip_b = dst / ranks_per_chip;
  const int die_a = rank_die_[src % ranks_per_chip], die_b = rank_die_[dst % ranks_per_chip];
  if (same_chip) {
    if (die_a == die_b) return;
    const size_t p = paths_.pair(die_a, die_b);
    const int shift = chip_a * chip_links_;
    for (int i = paths_.begin[p]; i < paths_.begin[p + 1]; ++i) loads.add(paths_.links[i].first + shift, bytes * paths_.links[i].second);
    r.latency_s += paths_.latency_s[p];
    r.hops += paths_.hops[p];
    return;
  }
  const int up = up_[chip_a * dies_ + die_a], down = up_[chip_b * dies_ + die_b] + 1;
  loads.add(up, bytes);
  loads.add(down, bytes);
  r.latency_s += links[up].latency_s + links[down].latency_s;
  r.hops += 2;
}

}  // namespace rackscope::fabric
