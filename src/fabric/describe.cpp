#include "fabric/describe.hpp"

#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/graph/push_relabel_max_flow.hpp>

#include <algorithm>
#include <cstdint>
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
  int vertices = 0;  // chips are 0..chips-1; other vertices numbered as their first link appears
  struct Edge {
    int from, to;
    double bandwidth_Bps;
  };
  std::vector<Edge> edges;
};

// Cores and dies have no link here (their tiers are left out), so the path graph numbers only
// the vertices its links touch: at a million chips that leaves out the four million cores, which
// the searches below would otherwise visit and the flow graph hold.
PathGraph path_graph(const Fabric& f) {
  const int n = f.vertices();
  std::vector<int> id(n, -1), down(n, -1);  // compact number of a vertex, and of its down copy
  PathGraph p;
  for (int c = 0; c < f.chips(); ++c) id[c] = c;
  p.vertices = f.chips();
  auto number = [&](int v) {
    if (id[v] < 0) id[v] = p.vertices++;
    return id[v];
  };
  auto down_of = [&](int v) {  // the down copy of a host switch or NIC
    if (f.kind(v) == VertexKind::chip) return v;
    if (down[v] < 0) down[v] = p.vertices++;
    return down[v];
  };
  for (const Link& l : f.links()) {
    if (l.tier == Tier::on_chip || l.tier == Tier::die_to_die) continue;
    int from = -1, to = -1;
    if (l.tier == Tier::host) {
      const bool up = f.kind(l.from) == VertexKind::chip || f.kind(l.to) == VertexKind::nic;
      if (up) from = number(l.from), to = number(l.to);
      else from = down_of(l.from), to = down_of(l.to);
    } else if (f.kind(l.to) == VertexKind::nic) {
      from = number(l.from), to = down_of(l.to);  // from the network into a NIC: only down toward the chips from here
    } else {
      from = number(l.from), to = number(l.to);
    }
    p.edges.push_back({from, to, l.bandwidth_Bps});
  }
  return p;
}

// The path graph as a Boost.Graph compressed sparse row graph: the fabric's analysis view
// (routing reads the flat link table instead; see fabric_impl.hpp).
using PathCsr = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property, boost::no_property,
                                                   uint32_t, uint32_t>;

PathCsr path_csr(const PathGraph& p) {
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  edges.reserve(p.edges.size());
  for (const auto& e : p.edges) edges.emplace_back(e.from, e.to);
  return PathCsr(boost::edges_are_unsorted_multi_pass, edges.begin(), edges.end(), static_cast<size_t>(p.vertices));
}

// The longest hop distance from any of `sources` to any chip along the path graph's directed
// edges: a breadth-first search from each source, 64 at a time (one bit per source in a
// vertex's word: the frontier moves along every edge for all 64 in one OR). Exactly the maximum
// of the searches' distances, at a fraction of the passes over the graph.
int eccentricity_to_chips(const PathCsr& g, int chips, const std::vector<int>& sources) {
  const size_t n = boost::num_vertices(g);
  std::vector<uint64_t> seen(n), frontier(n), next(n);
  int longest = 0;
  for (size_t first = 0; first < sources.size(); first += 64) {
    std::fill(seen.begin(), seen.end(), 0);
    std::fill(frontier.begin(), frontier.end(), 0);
    const size_t batch = std::min<size_t>(64, sources.size() - first);
    for (size_t i = 0; i < batch; ++i) {
      const uint64_t bit = uint64_t{1} << i;
      seen[sources[first + i]] |= bit;
      frontier[sources[first + i]] |= bit;
    }
    for (int depth = 1;; ++depth) {
      std::fill(next.begin(), next.end(), 0);
      for (size_t v = 0; v < n; ++v) {
        if (!frontier[v]) continue;
        auto [e, end] = boost::out_edges(static_cast<uint32_t>(v), g);
        for (; e != end; ++e) next[boost::target(*e, g)] |= frontier[v];
      }
      bool moved = false, reached_chip = false;
      for (size_t v = 0; v < n; ++v) {
        next[v] &= ~seen[v];
        seen[v] |= next[v];
        moved = moved || next[v];
        reached_chip = reached_chip || (next[v] && static_cast<int>(v) < chips);
      }
      if (!moved) break;
      if (reached_chip) longest = depth;
      frontier.swap(next);
    }
  }
  return longest;
}

// Maximum flow from the chips with side[c] == 0 to those with side[c] == 1 (Boost push-relabel
// on integer capacities): the exact capacity of the narrowest cut between the two halves, with
// switches and NICs free to fall on either side. Capacities are in units of `unit` bytes/s, 1
// unless the links' total would not fit in 2^61, so no sum inside the algorithm overflows; a
// chip's edge from the source (or to the sink) carries the total of its own links, which no
// flow through it can exceed: finite, and as good as infinite.
//
// The flow graph is built once for every halving, as a compressed sparse row graph whose arcs
// come in (edge, reverse) pairs: every chip has an arc from the source and one to the sink, and
// a halving sets their capacities (the side it is not on: 0).
class BisectionFlow {
 public:
  BisectionFlow(const Fabric& f, const PathGraph& p);
  double max_flow(const std::vector<char>& side);

 private:
  struct Arc {
    long long capacity = 0, residual = 0;
    boost::detail::csr_edge_descriptor<uint32_t, uint32_t> reverse;
  };
  using Graph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, Arc, boost::no_property, uint32_t, uint32_t>;
  Graph g_;
  double unit_ = 1;
  uint32_t source_ = 0, sink_ = 0;
  int chips_ = 0;
  std::vector<long long> out_of_, into_;        // per chip: its links' capacity out and in
  std::vector<uint32_t> from_source_, to_sink_;  // per chip: the arc's index in the graph
};

BisectionFlow::BisectionFlow(const Fabric& f, const PathGraph& p) : chips_(f.chips()), out_of_(chips_, 0), into_(chips_, 0) {
  double total = 0;
  for (const auto& e : p.edges) total += e.bandwidth_Bps;
  const double limit = std::ldexp(1.0, 61);
  unit_ = total < limit ? 1.0 : std::ceil(total / limit);
  source_ = static_cast<uint32_t>(p.vertices);
  sink_ = source_ + 1;
  const uint32_t vertices = sink_ + 1;
  // Arcs sorted by source as they are made (a counting sort), so each one's place, and so its
  // reverse's, is known; the in-place constructor keeps an order already sorted.
  const size_t arcs = 2 * (p.edges.size() + 2 * static_cast<size_t>(chips_));
  std::vector<uint32_t> start(vertices + 1, 0);
  auto count = [&](uint32_t a, uint32_t b) { ++start[a + 1], ++start[b + 1]; };
  for (const auto& e : p.edges) count(e.from, e.to);
  for (int c = 0; c < chips_; ++c) count(source_, c), count(c, sink_);
  for (uint32_t v = 0; v < vertices; ++v) start[v + 1] += start[v];
  std::vector<uint32_t> sources(arcs), targets(arcs);
  std::vector<Arc> props(arcs);
  auto add = [&](uint32_t a, uint32_t b, long long c) {
    const uint32_t forward = start[a]++, backward = start[b]++;
    sources[forward] = a, targets[forward] = b, props[forward].capacity = c, props[forward].reverse = {b, backward};
    sources[backward] = b, targets[backward] = a, props[backward].reverse = {a, forward};
    return forward;
  };
  for (const auto& e : p.edges) {
    const long long c = std::llround(e.bandwidth_Bps / unit_);
    RACKSCOPE_ASSERT(c >= 0, "a link bandwidth is negative or not finite");
    add(e.from, e.to, c);
    if (e.from < chips_) out_of_[e.from] += c;
    if (e.to < chips_) into_[e.to] += c;
  }
  for (int c = 0; c < chips_; ++c) {
    from_source_.push_back(add(source_, c, 0));
    to_sink_.push_back(add(c, sink_, 0));
  }
  start = {};
  g_ = Graph(boost::construct_inplace_from_sources_and_targets, sources, targets, props, vertices);
  for (uint32_t v = 0; v < vertices; ++v)
    for (auto [e, end] = boost::out_edges(v, g_); e != end; ++e) {
      const auto r = g_[*e].reverse;
      RACKSCOPE_ASSERT(boost::source(r, g_) == boost::target(*e, g_) && g_[r].reverse.idx == e->idx, "a flow arc's reverse is its pair");
    }
}

double BisectionFlow::max_flow(const std::vector<char>& side) {
  for (int c = 0; c < chips_; ++c) {
    const auto e = boost::detail::csr_edge_descriptor<uint32_t, uint32_t>(source_, from_source_[c]);
    const auto t = boost::detail::csr_edge_descriptor<uint32_t, uint32_t>(static_cast<uint32_t>(c), to_sink_[c]);
    g_[e].capacity = side[c] ? 0 : out_of_[c];
    g_[t].capacity = side[c] ? into_[c] : 0;
  }
  const long long flow = boost::push_relabel_max_flow(g_, source_, sink_, boost::get(&Arc::capacity, g_), boost::get(&Arc::residual, g_),
                                                      boost::get(&Arc::reverse, g_), boost::get(boost::vertex_index, g_));
  return static_cast<double>(flow) * unit_;
}

// Diameter: BFS from every chip in small fabrics; in large ones from the chips of the first
// and last rack, which racks' symmetry makes representative.
int diameter(const Fabric& f, const PathGraph& p) {
  const PathCsr csr = path_csr(p);
  std::vector<int> sources;
  const int cpr = f.chips_per_rack();
  if (f.chips() <= 4096) {
    for (int c = 0; c < f.chips(); ++c) sources.push_back(c);
  } else {
    for (int c = 0; c < cpr; ++c) sources.push_back(c), sources.push_back(f.chips() - cpr + c);
  }
  return eccentricity_to_chips(csr, f.chips(), sources);
}

// Bisection: the smallest max-flow over the natural halvings (racks split in two; inside a
// rack, each torus dimension of even size cut in the middle, or chips split by index). For
// tori and folded Clos networks one of these is the minimum bisection.
std::vector<std::vector<char>> halvings(const Fabric& f) {
  std::vector<std::vector<char>> halvings;
  const int cpr = f.chips_per_rack();
  if (f.chips() < 2) return halvings;
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
  return halvings;
}

}  // namespace

Description describe(const Fabric& f) {
  Description d;
  d.chips = f.chips();
  d.nics = f.count(VertexKind::nic);
  d.switches = f.count(VertexKind::switch_);
  std::map<Tier, TierSummary> tiers;
  // Links are added in (a->b, b->a) pairs; count each pair once, as its cables (a bundle into
  // the top of a Clos is several), each at its share of the bundle's bandwidth. `links` is the
  // tier table's total.
  for (size_t i = 0; i < f.links().size(); i += 2) {
    const Link& l = f.links()[i];
    auto& t = tiers[l.tier];
    t.tier = l.tier;
    const double cable_Bps = l.bandwidth_Bps / l.cables;
    t.min_bandwidth_Bps = t.links == 0 ? cable_Bps : std::min(t.min_bandwidth_Bps, cable_Bps);
    t.max_bandwidth_Bps = std::max(t.max_bandwidth_Bps, cable_Bps);
    t.links += l.cables;
    d.links += l.cables;
  }
  for (auto& [tier, t] : tiers) d.tiers.push_back(t);

  PathGraph p = path_graph(f);
  d.diameter_hops = diameter(f, p);
  const std::vector<std::vector<char>> sides = halvings(f);
  d.bisection_Bps = 0;
  if (sides.empty()) return d;
  BisectionFlow flows(f, p);
  p = {};
  for (size_t i = 0; i < sides.size(); ++i) {
    const double flow = flows.max_flow(sides[i]);
    d.bisection_Bps = i == 0 ? flow : std::min(d.bisection_Bps, flow);
  }
  return d;
}

}  // namespace rackscope::fabric
