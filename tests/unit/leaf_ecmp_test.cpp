// ECMP between two switches by a search from both ends (fabric/leaf_ecmp.cpp): only shortest
// paths carry traffic, split equally at each switch among its next hops one hop closer, whatever
// the parity of the distance (the two searches meet on a vertex layer either way).
#include <doctest/doctest.h>

#include <map>

#include "fabric/fabric_impl.hpp"

using namespace rackscope;

namespace {
// A switch graph over vertices 0..n-1 (first = 0) from directed edges, link id = edge index.
fabric::SwitchGraph graph(int n, const std::vector<std::pair<int, int>>& edges, std::vector<fabric::Link>& links) {
  fabric::SwitchGraph g;
  g.local.resize(n);
  for (int v = 0; v < n; ++v) g.local[v] = v;
  g.out_begin.assign(n + 1, 0);
  g.in_begin.assign(n + 1, 0);
  for (auto [a, b] : edges) ++g.out_begin[a + 1], ++g.in_begin[b + 1];
  for (int v = 0; v < n; ++v) g.out_begin[v + 1] += g.out_begin[v], g.in_begin[v + 1] += g.in_begin[v];
  g.out_edges.resize(edges.size());
  g.in_edges.resize(edges.size());
  std::vector<int> out_at(g.out_begin.begin(), g.out_begin.end() - 1), in_at(g.in_begin.begin(), g.in_begin.end() - 1);
  for (size_t id = 0; id < edges.size(); ++id) {
    auto [a, b] = edges[id];
    g.out_edges[out_at[a]++] = {b, static_cast<int>(id)};
    g.in_edges[in_at[b]++] = a;
    links.push_back({a, b, 1e9, 1e-6 * (1 + static_cast<double>(id % 2)), fabric::Tier::scale_out});
  }
  return g;
}

std::map<int, double> shares(const fabric::PathSet& p) {
  std::map<int, double> s;
  for (auto [link, share] : p.links) s[link] += share;
  return s;
}
}  // namespace

TEST_CASE("leaf ECMP: shortest paths only, equal split per switch, even and odd distances") {
  std::vector<fabric::Link> links;
  // 0 -> {1, 2} -> 3 (two hops), and a longer detour 0 -> 4 -> 5 -> 3 that carries nothing.
  const auto even = graph(6, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {0, 4}, {4, 5}, {5, 3}}, links);
  fabric::LeafSearch search;
  const fabric::PathSet p = search.ecmp(even, 0, 3, links);
  CHECK(p.hops == 2);
  CHECK(shares(p) == std::map<int, double>{{0, 0.5}, {1, 0.5}, {2, 0.5}, {3, 0.5}});
  // Latency: the slowest link of each step (link ids 1 and 3 are the 2 us ones).
  CHECK(p.latency_s == 2e-6 + 2e-6);

  // Three hops: 0 -> {1, 2}; 1 -> 3; 2 -> {3, 4}; 3, 4 -> 5: 2 splits its half in two.
  links.clear();
  const auto odd = graph(6, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {2, 4}, {3, 5}, {4, 5}}, links);
  const fabric::PathSet q = search.ecmp(odd, 0, 5, links);  // the same scratch, reused
  CHECK(q.hops == 3);
  CHECK(shares(q) == std::map<int, double>{{0, 0.5}, {1, 0.5}, {2, 0.5}, {3, 0.25}, {4, 0.25}, {5, 0.75}, {6, 0.25}});
  // And back on the first graph in the other direction's absence: no path from 3 to 0 is an
  // internal error, not a silent zero.
  CHECK_THROWS(search.ecmp(even, 3, 0, links));
}
