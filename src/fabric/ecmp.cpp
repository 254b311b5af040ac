#include <algorithm>
#include <map>
#include <queue>

#include "fabric/fabric_impl.hpp"

namespace rackscope::fabric {

// Hop distances to `dst` by BFS over reversed links, then one unit of traffic pushed from
// `src` downhill, split equally among next hops that are one hop closer (what ECMP hashing does
// on average over many flows).
PathSet ecmp_paths(const Graph& g, const std::vector<Link>& links, int src, int dst, const std::vector<char>& forwards) {
  const int n = static_cast<int>(boost::num_vertices(g));
  std::vector<int> dist(n, -1);
  std::queue<int> q;
  dist[dst] = 0;
  q.push(dst);
  while (!q.empty()) {
    const int v = q.front();
    q.pop();
    if (v != dst && !forwards[v]) continue;  // reached, but traffic may not pass through it
    for (auto [e, end] = boost::in_edges(v, g); e != end; ++e) {
      const int u = static_cast<int>(boost::source(*e, g));
      if (u == v || dist[u] >= 0) continue;
      dist[u] = dist[v] + 1;
      q.push(u);
    }
  }
  PathSet out;
  if (dist[src] < 0) return out;
  out.hops = dist[src];
  // Process vertices level by level, farthest first; latency is the slowest path's.
  std::map<int, double> frontier{{src, 1.0}};
  std::map<int, double> arrival{{src, 0.0}};
  std::map<int, double> link_share;
  while (!frontier.empty()) {
    std::map<int, double> next;
    for (const auto& [v, share] : frontier) {
      if (v == dst) continue;
      std::vector<std::pair<int, int>> hops;  // (link id, next vertex)
      for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
        const int w = static_cast<int>(boost::target(*e, g));
        if (w != v && dist[w] == dist[v] - 1 && (w == dst || forwards[w])) hops.emplace_back(g[*e].id, w);
      }
      for (const auto& [link, w] : hops) {
        const double part = share / static_cast<double>(hops.size());
        link_share[link] += part;
        next[w] += part;
        arrival[w] = std::max(arrival[w], arrival[v] + links[link].latency_s);
      }
    }
    frontier.swap(next);
  }
  out.latency_s = arrival[dst];
  out.links.assign(link_share.begin(), link_share.end());
  return out;
}

}  // namespace rackscope::fabric
