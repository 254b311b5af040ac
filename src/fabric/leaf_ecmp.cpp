// ECMP between two leaves of the scale-out fabric, found by searching from both ends at once.
// A full BFS from the destination (the previous way) visits every switch link of the fabric for
// each destination leaf: ~34,000 links on 16K Trn2 chips, most of the first evaluation of a new
// layout. Searching level by level from both leaves until they meet visits only the two balls
// around them (~2,600 links there), and yields exactly the same shortest-path DAG, so the shares,
// latency and hops pushed along it are bit-identical to the full search's.
#include <algorithm>

#include "fabric/fabric_impl.hpp"
#include "units/check.hpp"

namespace rackscope::fabric {

namespace {
// Expands one BFS level: from `frontier` (at distance `level` in `dist`) along `next(v)`, stamping
// newly reached vertices with level + 1. Returns the new frontier.
template <class Next>
std::vector<int> expand(const std::vector<int>& frontier, int level, LeafSearch::Stamped& dist, Next next) {
  std::vector<int> reached;
  for (int v : frontier)
    next(v, [&](int w) {
      if (!dist.has(w)) dist.set(w, level + 1), reached.push_back(w);
    });
  return reached;
}
}  // namespace

void LeafSearch::Stamped::reset(size_t n) {
  if (stamp.size() != n) stamp.assign(n, 0), value.assign(n, 0), epoch = 0;
  if (++epoch == 0) std::fill(stamp.begin(), stamp.end(), 0u), epoch = 1;
}

// Layers of the shortest-path DAG from src to dst: on_path(v) == i when v is the i-th switch of
// some shortest path. Returns the distance.
int LeafSearch::mark_shortest_paths(const SwitchGraph& sg, int src, int dst) {
  const size_t n = sg.switches();
  from_src.reset(n), to_dst.reset(n), layer.reset(n);
  from_src.set(src, 0), to_dst.set(dst, 0);
  // Each side's BFS levels: levels[d] holds the vertices at distance d from its end.
  std::vector<std::vector<int>>& fwd = fwd_levels;
  std::vector<std::vector<int>>& bwd = bwd_levels;
  fwd.assign(1, {src}), bwd.assign(1, {dst});
  std::vector<int> meet;
  auto forward = [&](int v, auto visit) {
    for (const auto& [w, link] : sg.out(v)) visit(w);
  };
  auto backward = [&](int v, auto visit) {
    for (int u : sg.in(v)) visit(u);
  };
  // Level by level, the smaller frontier first, until a level reaches the other side's ball:
  // the first such level holds every meeting vertex of a shortest path.
  while (meet.empty()) {
    RACKSCOPE_ASSERT(!fwd.back().empty() && !bwd.back().empty(), "every leaf reaches every other leaf");
    if (fwd.back().size() <= bwd.back().size()) {
      fwd.push_back(expand(fwd.back(), static_cast<int>(fwd.size()) - 1, from_src, forward));
      for (int w : fwd.back())
        if (to_dst.has(w)) meet.push_back(w);
    } else {
      bwd.push_back(expand(bwd.back(), static_cast<int>(bwd.size()) - 1, to_dst, backward));
      for (int u : bwd.back())
        if (from_src.has(u)) meet.push_back(u);
    }
  }
  // A meeting vertex w has from_src + to_dst = the distance; every vertex of the layer found last
  // that the other side reached lies at that distance (it cannot be shorter: no earlier meeting).
  const int distance = from_src.get(meet.front()) + to_dst.get(meet.front());
  const int m = from_src.get(meet.front());
  for (int v : meet) layer.set(v, m);
  // Towards src: the vertices i hops from it with an edge into layer i + 1; towards dst: those
  // distance - j hops from it with an edge from layer j - 1. Both sides' levels are complete that
  // far (no meeting came earlier).
  for (int i = m - 1; i >= 0; --i)
    for (int v : fwd[i])
      for (const auto& [w, link] : sg.out(v))
        if (layer.has(w) && layer.get(w) == i + 1) {
          layer.set(v, i);
          break;
        }
  for (int j = m + 1; j <= distance; ++j)
    for (int w : bwd[distance - j])
      for (int u : sg.in(w))
        if (layer.has(u) && layer.get(u) == j - 1) {
          layer.set(w, j);
          break;
        }
  return distance;
}

// One unit of traffic pushed from src along the DAG, split equally among the next hops one hop
// closer to dst (in link-id order, as the graph lists a switch's out-edges).
PathSet LeafSearch::ecmp(const SwitchGraph& sg, int src, int dst, const std::vector<Link>& links) {
  PathSet out;
  out.hops = mark_shortest_paths(sg, src, dst);
  if (share.size() != sg.switches()) share.assign(sg.switches(), 0.0);
  std::vector<std::pair<int, double>> frontier = {{src, 1.0}};
  double latency = 0;
  int level = 0;
  while (!frontier.empty() && frontier.front().first != dst) {
    std::vector<int> next_vertices;
    double step_latency = 0;
    auto on_next = [&](int w) { return layer.has(w) && layer.get(w) == level + 1; };
    for (const auto& [v, part] : frontier) {
      int ways = 0;
      for (const auto& [w, link] : sg.out(v)) ways += on_next(w);
      for (const auto& [w, link] : sg.out(v)) {
        if (!on_next(w)) continue;
        out.links.emplace_back(link, part / ways);
        step_latency = std::max(step_latency, links[link].latency_s);
        if (share[w] == 0.0) next_vertices.push_back(w);
        share[w] += part / ways;
      }
    }
    latency += step_latency;
    frontier.clear();
    for (int w : next_vertices) frontier.emplace_back(w, share[w]), share[w] = 0.0;
    ++level;
  }
  out.latency_s = latency;
  return out;
}

}  // namespace rackscope::fabric
