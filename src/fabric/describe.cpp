#include "fabric/describe.hpp"

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/breadth_first_search.hpp>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/push_relabel_max_flow.hpp>

#include <algorithm>
#include <cmath>
#include <map>

#include "fabric/fabric_impl.hpp"
#include "units/check.hpp"

namespace rackscope::fabric {
namespace {

// The fabric as paths between chips may use it, for diameter and bisection.
//  - On-chip and die-to-die links lead below a chip (to its cores and dies), never to another
//    chip: left out.
//  - The host tier (chip -> host PCIe switch -> NIC, or chip -> NIC) joins chips to the network
//    only. Each host switch and NIC gets a second, "down" copy: links toward the network (up:
//    out of a chip, or into a NIC) stay on the original vertices, links toward the chips (down)
//    run between the copies, and a scale-out link into a NIC arrives at its down copy. So a path
//    cannot turn around in a host switch or a NIC (chip -> host -> chip): it may turn around in a
//    leaf switch, as traffic between two chips on the network does.
struct PathGraph {
  int vertices = 0;
  struct Edge {
    int from, to;
    double bandwidth_Bps;
  };
  std::vector<Edge> edges;
};

PathGraph path_graph(const Fabric& f) {
  const int n = f.vertices();
  std::vector<int> down(n, -1);  // the down copy of a host switch or NIC
  PathGraph p;
  p.vertices = n;
  auto down_of = [&](int v) {
    if (f.kind(v) == VertexKind::chip) return v;
    if (down[v] < 0) down[v] = p.vertices++;
    return down[v];
  };
  for (const Link& l : f.links()) {
    if (l.tier == Tier::on_chip || l.tier == Tier::die_to_die) continue;
    int from = l.from, to = l.to;
    if (l.tier == Tier::host) {
      const bool up = f.kind(l.from) == VertexKind::chip || f.kind(l.to) == VertexKind::nic;
      if (!up) from = down_of(l.from), to = down_of(l.to);
    } else if (f.kind(l.to) == VertexKind::nic) {
      to = down_of(l.to);  // from the network into a NIC: only down toward the chips from here
    }
    p.edges.push_back({from, to, l.bandwidth_Bps});
  }
  return p;
}

// The path graph as a Boost.Graph compressed sparse row graph: the fabric's analysis view
// (routing reads the flat link table instead; see fabric_impl.hpp).
using PathCsr = boost::compressed_sparse_row_graph<boost::directedS>;

PathCsr path_csr(const PathGraph& p) {
  std::vector<std::pair<int, int>> edges;
  edges.reserve(p.edges.size());
  for (const auto& e : p.edges) edges.emplace_back(e.from, e.to);
  return PathCsr(boost::edges_are_unsorted_multi_pass, edges.begin(), edges.end(), static_cast<size_t>(p.vertices));
}

// Hop distances from `src` along the path graph's directed edges (Boost BFS).
std::vector<int> hops_from(const PathCsr& g, int src) {
  std::vector<int> dist(boost::num_vertices(g), -1);
  dist[src] = 0;
  auto record = boost::record_distances(boost::make_iterator_property_map(dist.begin(), boost::get(boost::vertex_index, g)),
                                        boost::on_tree_edge());
  boost::breadth_first_search(g, boost::vertex(src, g), boost::visitor(boost::make_bfs_visitor(record)));
  return dist;
}

// Maximum flow from the chips with side[c] == 0 to those with side[c] == 1 (Boost push-relabel
// on integer capacities): the exact capacity of the narrowest cut between the two halves, with
// switches and NICs free to fall on either side. Capacities are in units of `unit` bytes/s,
// 1 unless the links' total would not fit in 2^61, so no sum inside the algorithm overflows;
// a chip's edge from the source (or to the sink) carries the total of its own links, which
// no flow through it can exceed: finite, and as good as infinite.
double max_flow_between(const Fabric& f, const PathGraph& p, const std::vector<char>& side) {
  using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
  using FlowGraph = boost::adjacency_list<
      boost::vecS, boost::vecS, boost::directedS, boost::no_property,
      boost::property<boost::edge_capacity_t, long long,
                      boost::property<boost::edge_residual_capacity_t, long long,
                                      boost::property<boost::edge_reverse_t, Traits::edge_descriptor>>>>;
  double total = 0;
  for (const auto& e : p.edges) total += e.bandwidth_Bps;
  const double limit = std::ldexp(1.0, 61);
  const double unit = total < limit ? 1.0 : std::ceil(total / limit);
  FlowGraph g(p.vertices + 2);
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
  std::vector<long long> out_of(f.chips(), 0), into(f.chips(), 0);
  for (const auto& e : p.edges) {
    const long long c = std::llround(e.bandwidth_Bps / unit);
    RACKSCOPE_ASSERT(c >= 0, "a link bandwidth is negative or not finite");
    add(e.from, e.to, c);
    if (e.from < f.chips()) out_of[e.from] += c;
    if (e.to < f.chips()) into[e.to] += c;
  }
  const int source = p.vertices, sink = p.vertices + 1;
  for (int c = 0; c < f.chips(); ++c) {
    if (side[c]) add(c, sink, into[c]);
    else add(source, c, out_of[c]);
  }
  return static_cast<double>(boost::push_relabel_max_flow(g, source, sink)) * unit;
}

}  // namespace

Description describe(const Fabric& f) {
  Description d;
  d.chips = f.chips();
  d.nics = f.count(VertexKind::nic);
  d.switches = f.count(VertexKind::switch_);
  std::map<Tier, TierSummary> tiers;
  // Links are added in (a->b, b->a) pairs; count each pair once. `links` is the tier table's total.
  for (size_t i = 0; i < f.links().size(); i += 2) {
    const Link& l = f.links()[i];
    auto& t = tiers[l.tier];
    t.tier = l.tier;
    t.min_bandwidth_Bps = t.links == 0 ? l.bandwidth_Bps : std::min(t.min_bandwidth_Bps, l.bandwidth_Bps);
    t.max_bandwidth_Bps = std::max(t.max_bandwidth_Bps, l.bandwidth_Bps);
    ++t.links;
    ++d.links;
  }
  for (auto& [tier, t] : tiers) d.tiers.push_back(t);

  // Diameter: BFS from every chip in small fabrics; in large ones from the chips of the first
  // and last rack, which racks' symmetry makes representative.
  const PathGraph p = path_graph(f);
  const PathCsr csr = path_csr(p);
  std::vector<int> sources;
  const int cpr = f.chips_per_rack();
  if (f.chips() <= 4096) {
    for (int c = 0; c < f.chips(); ++c) sources.push_back(c);
  } else {
    for (int c = 0; c < cpr; ++c) sources.push_back(c), sources.push_back(f.chips() - cpr + c);
  }
  for (int s : sources) {
    const auto dist = hops_from(csr, s);
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
    const double flow = max_flow_between(f, p, halvings[i]);
    d.bisection_Bps = i == 0 ? flow : std::min(d.bisection_Bps, flow);
  }
  return d;
}

}  // namespace rackscope::fabric
