#include "fabric/describe.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/push_relabel_max_flow.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <queue>

#include "fabric/fabric_impl.hpp"

namespace rackscope::fabric {
namespace {

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS>;

// Hop distances from `src` over links between distinct vertices.
std::vector<int> hops_from(const Graph& g, int src) {
  std::vector<int> dist(boost::num_vertices(g), -1);
  std::queue<int> q;
  dist[src] = 0;
  q.push(src);
  while (!q.empty()) {
    const int v = q.front();
    q.pop();
    for (auto [e, end] = boost::out_edges(v, g); e != end; ++e) {
      const int w = static_cast<int>(boost::target(*e, g));
      if (dist[w] < 0) {
        dist[w] = dist[v] + 1;
        q.push(w);
      }
    }
  }
  return dist;
}

// Maximum flow from the chips with side[c] == 0 to those with side[c] == 1 (Boost push-relabel
// on integer bytes/s): the exact capacity of the narrowest cut between the two halves, with
// switches and NICs free to fall on either side.
double max_flow_between(const Fabric& f, const std::vector<char>& side) {
  using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
  using FlowGraph = boost::adjacency_list<
      boost::vecS, boost::vecS, boost::directedS, boost::no_property,
      boost::property<boost::edge_capacity_t, long long,
                      boost::property<boost::edge_residual_capacity_t, long long,
                                      boost::property<boost::edge_reverse_t, Traits::edge_descriptor>>>>;
  const int n = f.vertices();
  FlowGraph g(n + 2);
  auto cap = boost::get(boost::edge_capacity, g);
  auto rev = boost::get(boost::edge_reverse, g);
  auto add = [&](int a, int b, long long c) {
    auto e = boost::add_edge(a, b, g).first;
    auto r = boost::add_edge(b, a, g).first;
    cap[e] = c;
    cap[r] = 0;
    rev[e] = r;
    rev[r] = e;
  };
  for (const auto& l : f.links()) add(l.from, l.to, std::llround(l.bandwidth_Bps));
  const long long infinite = std::numeric_limits<long long>::max() / 4;
  const int source = n, sink = n + 1;
  for (int c = 0; c < f.chips(); ++c) add(side[c] ? c : source, side[c] ? sink : c, infinite);
  return static_cast<double>(boost::push_relabel_max_flow(g, source, sink));
}

}  // namespace

Description describe(const Fabric& f) {
  Description d;
  d.chips = f.chips();
  d.nics = f.count(VertexKind::nic);
  d.switches = f.count(VertexKind::switch_);
  std::map<Tier, TierSummary> tiers;
  // Links are added in (a->b, b->a) pairs; count each pair once.
  for (size_t i = 0; i < f.links().size(); i += 2) {
    const Link& l = f.links()[i];
    auto& t = tiers[l.tier];
    t.tier = l.tier;
    t.min_bandwidth_Bps = t.links == 0 ? l.bandwidth_Bps : std::min(t.min_bandwidth_Bps, l.bandwidth_Bps);
    t.max_bandwidth_Bps = std::max(t.max_bandwidth_Bps, l.bandwidth_Bps);
    ++t.links;
    if (l.tier != Tier::on_chip && l.tier != Tier::die_to_die) ++d.links;
  }
  for (auto& [tier, t] : tiers) d.tiers.push_back(t);

  // Diameter: BFS from every chip in small fabrics; in large ones from the chips of the first
  // and last rack, which racks' symmetry makes representative.
  Graph g(f.vertices());
  for (const auto& l : f.links()) boost::add_edge(l.from, l.to, g);
  std::vector<int> sources;
  const int cpr = f.chips_per_rack();
  if (f.chips() <= 4096) {
    for (int c = 0; c < f.chips(); ++c) sources.push_back(c);
  } else {
    for (int c = 0; c < cpr; ++c) sources.push_back(c), sources.push_back(f.chips() - cpr + c);
  }
  for (int s : sources) {
    const auto dist = hops_from(g, s);
    for (int c = 0; c < f.chips(); ++c) d.diameter_hops = std::max(d.diameter_hops, dist[c]);
  }

  // Bisection: the smallest max-flow over the natural halvings (racks split in two; inside a
  // rack, each torus dimension of even size cut in the middle, or chips split by index). For
  // tori and folded Clos networks one of these is the minimum bisection.
  std::vector<std::vector<char>> halvings;
  if (f.chips() >= 2) {
    if (f.racks() > 1) {
      std::vector<char> side(f.chips());
      for (int c = 0; c < f.chips(); ++c) side[c] = f.rack_of_chip(c) >= f.racks() / 2;
      halvings.push_back(side);
    }
    const auto& dims = f.torus_dims();
    if (!dims.empty()) {
      for (size_t k = 0; k < dims.size(); ++k) {
        if (dims[k] < 2) continue;
        std::vector<char> side(f.chips());
        for (int c = 0; c < f.chips(); ++c) side[c] = f.torus_coords(c)[k] >= dims[k] / 2;
        halvings.push_back(side);
      }
    } else if (cpr >= 2) {
      std::vector<char> side(f.chips());
      for (int c = 0; c < f.chips(); ++c) side[c] = c % cpr >= cpr / 2;
      halvings.push_back(side);
    }
  }
  d.bisection_Bps = 0;
  for (size_t i = 0; i < halvings.size(); ++i) {
    const double flow = max_flow_between(f, halvings[i]);
    d.bisection_Bps = i == 0 ? flow : std::min(d.bisection_Bps, flow);
  }
  return d;
}

}  // namespace rackscope::fabric
