#include <algorithm>

#include "fabric/fabric_impl.hpp"

namespace rackscope::fabric {

int LinkSubgraph::local(int v) const {
  const auto it = std::lower_bound(vertex.begin(), vertex.end(), v);
  return it != vertex.end() && *it == v ? static_cast<int>(it - vertex.begin()) : -1;
}

LinkSubgraph link_subgraph(const std::vector<Link>& links, int first, int count, const std::function<bool(int)>& forwards) {
  LinkSubgraph s;
  for (int id = first; id < first + count; ++id) s.vertex.push_back(links[id].from), s.vertex.push_back(links[id].to);
  std::sort(s.vertex.begin(), s.vertex.end());
  s.vertex.erase(std::unique(s.vertex.begin(), s.vertex.end()), s.vertex.end());
  const int n = static_cast<int>(s.vertex.size());
  for (int v : s.vertex) s.forwards.push_back(forwards(v) ? 1 : 0);
  s.out_begin.assign(n + 1, 0);
  s.in_begin.assign(n + 1, 0);
  for (int id = first; id < first + count; ++id) ++s.out_begin[s.local(links[id].from) + 1], ++s.in_begin[s.local(links[id].to) + 1];
  for (int v = 0; v < n; ++v) s.out_begin[v + 1] += s.out_begin[v], s.in_begin[v + 1] += s.in_begin[v];
  s.out.resize(count);
  s.in.resize(count);
  std::vector<int> out_at(s.out_begin.begin(), s.out_begin.end() - 1), in_at(s.in_begin.begin(), s.in_begin.end() - 1);
  // In link-id order, as the graph lists a vertex's out-edges: ECMP sums shares in that order.
  for (int id = first; id < first + count; ++id) {
    const int a = s.local(links[id].from), b = s.local(links[id].to);
    s.out[out_at[a]++] = {b, id};
    s.in[in_at[b]++] = a;
  }
  return s;
}

namespace {
// Hop distances to `dst` by BFS over reversed links; a vertex that does not forward is reached
// but not passed through.
void distances_to(const LinkSubgraph& s, int dst, std::vector<int>& dist, std::vector<int>& queue) {
  dist.assign(s.vertex.size(), -1);
  queue.assign(1, dst);
  dist[dst] = 0;
  for (size_t head = 0; head < queue.size(); ++head) {
    const int v = queue[head];
    if (v != dst && !s.forwards[v]) continue;
    for (int i = s.in_begin[v]; i < s.in_begin[v + 1]; ++i) {
      const int u = s.in[i];
      if (u == v || dist[u] >= 0) continue;
      dist[u] = dist[v] + 1;
      queue.push_back(u);
    }
  }
}

// Scratch for pushing one unit of traffic downhill, sized to the subgraph once.
struct Push {
  std::vector<double> share, arrival;
  std::vector<int> seen;  // the push that last reached a vertex
  std::vector<int> frontier, next;
  int stamp = 0;
  explicit Push(size_t n) : share(n, 0.0), arrival(n, 0.0), seen(n, 0) {}
};

// One unit from `src` to `dst` split equally among next hops one hop closer (what ECMP hashing
// does on average over many flows), level by level, each level's vertices in vertex order;
// appends (link, share) sorted by link id to `out` and returns the slowest path's latency.
double push_unit(const LinkSubgraph& s, const std::vector<Link>& links, const std::vector<int>& dist, int src, int dst, Push& p,
                 std::vector<std::pair<int, double>>& out) {
  const size_t first = out.size();
  ++p.stamp;
  p.frontier.assign(1, src);
  p.share[src] = 1.0;
  p.arrival[src] = 0.0;
  p.seen[src] = p.stamp;
  while (!p.frontier.empty()) {
    p.next.clear();
    for (int v : p.frontier) {
      if (v == dst) continue;
      int ways = 0;
      for (int i = s.out_begin[v]; i < s.out_begin[v + 1]; ++i) {
        const int w = s.out[i].first;
        ways += w != v && dist[w] == dist[v] - 1 && (w == dst || s.forwards[w]);
      }
      for (int i = s.out_begin[v]; i < s.out_begin[v + 1]; ++i) {
        const auto [w, link] = s.out[i];
        if (w == v || dist[w] != dist[v] - 1 || !(w == dst || s.forwards[w])) continue;
        const double part = p.share[v] / static_cast<double>(ways);
        out.emplace_back(link, part);
        if (p.seen[w] != p.stamp) p.seen[w] = p.stamp, p.share[w] = 0.0, p.arrival[w] = 0.0, p.next.push_back(w);
        p.share[w] += part;
        p.arrival[w] = std::max(p.arrival[w], p.arrival[v] + links[link].latency_s);
      }
    }
    std::sort(p.next.begin(), p.next.end());
    p.frontier.swap(p.next);
  }
  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end());
  return p.arrival[dst];
}
}  // namespace

// One BFS per destination, then one push per source; the pairs' links gathered in one array and
// laid out in pair order at the end.
PathTable ecmp_table(const LinkSubgraph& s, const std::vector<Link>& links, const std::vector<int>& ends, int base) {
  PathTable t;
  t.n = static_cast<int>(ends.size());
  const size_t pairs = static_cast<size_t>(t.n) * t.n;
  std::vector<std::pair<int, double>> gathered;
  std::vector<int> start(pairs, 0), count(pairs, 0);
  t.latency_s.assign(pairs, 0.0);
  t.hops.assign(pairs, 0);
  std::vector<int> dist, queue;
  Push push(s.vertex.size());
  for (int b = 0; b < t.n; ++b) {
    const int dst = s.local(ends[b]);
    if (dst < 0) continue;
    distances_to(s, dst, dist, queue);
    for (int a = 0; a < t.n; ++a) {
      const int src = s.local(ends[a]);
      if (a == b || src < 0 || dist[src] < 0) continue;
      const size_t p = static_cast<size_t>(a) * t.n + b;
      start[p] = static_cast<int>(gathered.size());
      t.hops[p] = dist[src];
      t.latency_s[p] = push_unit(s, links, dist, src, dst, push, gathered);
      count[p] = static_cast<int>(gathered.size()) - start[p];
    }
  }
  t.begin.assign(pairs + 1, 0);
  t.links.reserve(gathered.size());
  for (size_t p = 0; p < pairs; ++p) {
    for (int i = start[p]; i < start[p] + count[p]; ++i) t.links.emplace_back(gathered[i].first - base, gathered[i].second);
    t.begin[p + 1] = static_cast<int>(t.links.size());
  }
  return t;
}

}  // namespace rackscope::fabric
