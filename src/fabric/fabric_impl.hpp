#pragma once
// Internal state of a Fabric; only src/fabric/*.cpp include this.
// One part per tier, each filled by its builder and asked for routes through a small interface:
// the vertex and link tables (GraphParts), the dies of a chip (DieTier, dies.cpp), the racks' scale-up
// fabric (ScaleUpTier, scale_up.cpp with torus.cpp, switch_domain.cpp, explicit_links.cpp) and
// the scale-out fabric with its route caches (ScaleOutTier, clos.cpp and scale_out_routes.cpp).
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fabric/fabric.hpp"

namespace rackscope::fabric {


// Where one unit of traffic goes between two vertices: links with the share each carries.
struct PathSet {
  std::vector<std::pair<int, double>> links;
  double latency_s = 0;
  int hops = 0;
};

// Unit routes between every ordered pair of a few vertices (a rack's chips, a chip's dies), flat:
// pair p = a * n + b has links [begin[p], begin[p + 1]) with ids relative to the table's base.
struct PathTable {
  int n = 0;
  std::vector<int> begin;
  std::vector<std::pair<int, double>> links;  // (link id - base, share)
  std::vector<double> latency_s;
  std::vector<int> hops;  // 0: no route
  size_t pair(int a, int b) const { return static_cast<size_t>(a) * n + b; }
};

// The vertex and link tables, which every builder adds to. Routing reads them as flat arrays
// (link_subgraph below); only describe.cpp builds a Boost graph from them, when asked.
struct GraphParts {
  std::vector<Link> links;
  std::vector<VertexKind> kinds;
  int add_vertex(VertexKind k, std::string name);
  // `count` vertices of one kind, vertex first + i named name_of(i) when asked: a million
  // chips' (and four million cores') names are made for a Graphviz file, never kept.
  int add_vertices(VertexKind k, int count, std::function<std::string(int)> name_of);
  std::string name(int v) const;
  // Adds both directions of a physical link (of `cables` parallel cables, bandwidth_Bps in all);
  // returns the id of the a->b direction (b->a is +1).
  int add_link(int a, int b, double bandwidth_Bps, double latency_s, Tier tier, int cables = 1);
  int vertex_count() const { return static_cast<int>(kinds.size()); }
  int link_count() const { return static_cast<int>(links.size()); }

 private:
  // Runs of vertices from `first`: named one by one (add_vertex, `listed`) or by `name_of`.
  struct Names {
    int first = 0;
    std::vector<std::string> listed;
    std::function<std::string(int)> name_of;
  };
  std::vector<Names> names_;  // ascending first
};

// The cluster's counts every builder reads.
struct ClusterShape {
  hw::ClusterSpec spec;
  int chips = 0, racks = 0, chips_per_rack = 0, ranks_per_chip = 1;
};

// Chips of several dies: die d of chip c is vertex base + c * dies + d; its link to the chip is
// up_[c * dies + d] (die -> chip; +1 is chip -> die). Chip c's die links are chip 0's shifted
// by c * chip_links_; paths_ are chip 0's routes between its dies.
class DieTier {
 public:
  void build(const ClusterShape& s, GraphParts& g);
  bool several() const { return dies_ > 1; }
  // The vertex a rank's core hangs off: its die, or the chip itself on a chip of one die.
  int attach(int chip, int local_rank) const { return dies_ > 1 ? base_ + chip * dies_ + rank_die_[local_rank] : chip; }
  // The rank's die -> chip link (+1: chip -> die); only on a chip of several dies.
  int up_link(int chip, int local_rank) const { return up_[chip * dies_ + rank_die_[local_rank]]; }
  // Adds core src's and dst's die hops for traffic between chips (or between dies of a chip).
  void route(int src, int dst, bool same_chip, int ranks_per_chip, const std::vector<Link>& links, double bytes, PhaseLoads& loads,
             Route& r) const;

 private:
  int dies_ = 1, base_ = 0, chip_links_ = 0;
  std::vector<int> rank_die_;    // per core of a chip
  std::vector<int> up_;          // per (chip, die)
  PathTable paths_;              // chip 0's dies, link ids from 0
};

// The racks' own fabric. Rack r's scale-up links are rack 0's shifted by r * rack_links; its
// switches likewise by r * rack_switches. Routes inside a rack are computed once on rack 0 and
// shifted.
class ScaleUpTier {
 public:
  void build(const ClusterShape& s, GraphParts& g);
  // Adds traffic between local chips a != b of `rack` (dimension order on a torus, else the
  // rack's unit routes).
  void route(int a_local, int b_local, int rack, const std::vector<Link>& links, double bytes, PhaseLoads& loads, Route& r) const;
  // A chip's traffic to (up) or from its single-level switch, spread over its planes; returns
  // the slowest plane's latency.
  double route_to_switch(int local, int rack, bool up, const std::vector<Link>& links, double bytes, PhaseLoads& loads) const;
  bool in_switch_reduction() const { return in_switch_reduction_; }
  const std::vector<int>& torus_dims() const { return dims_; }

 private:
  void build_torus(const ClusterShape& s, GraphParts& g, const hw::TorusSpec& t, int rack);
  void build_switch_domain(const ClusterShape& s, GraphParts& g, const hw::SwitchSpec& sw, int rack);
  void build_explicit(const ClusterShape& s, GraphParts& g, const hw::ExplicitSpec& e, int rack);
  void build_local_paths(const ClusterShape& s, const GraphParts& g);
  PathTable rack0_paths(const ClusterShape& s, const GraphParts& g, bool chips_forward) const;
  void route_torus(int src_local, int dst_local, int rack, const std::vector<Link>& links, double bytes, PhaseLoads& loads, Route& r) const;

  int chips_per_rack_ = 0;
  int rack_link_base_ = 0, rack_links_ = 0;
  int rack_switch_base_ = 0, rack_switches_ = 0;
  // Torus racks: dims and, per local chip and dimension, the link to the + and - neighbour.
  std::vector<int> dims_;
  std::vector<std::pair<int, int>> torus_next_;  // [local * dims + d] -> (+link, -link), rack-0 ids
  // Switched and explicit racks: unit routes between local chips, link ids relative to rack 0's first.
  // Shared by every fabric whose rack 0 has the same links (rack_paths_cache in scale_up.cpp).
  std::shared_ptr<const PathTable> local_paths_;
  std::vector<std::vector<int>> switch_up_, switch_down_;  // per local chip: links to/from its leaves
  bool in_switch_reduction_ = false;
};

// Scale-out: each chip reaches one or more NICs (its own, or every NIC of its rack through a
// host switch when striped); each NIC hangs off one leaf switch of a folded Clos (or rail).
// Routes between leaves and the slowest path between two striped racks are cached on first use.
class ScaleOutTier {
 public:
  void build(const ClusterShape& s, GraphParts& g);
  // Adds traffic between chips a and b of different racks; with `r`, its latency and hops too.
  void route(int a, int b, const ClusterShape& s, const GraphParts& g, double bytes, PhaseLoads& loads, Route* r) const;
  // Striped racks: spreads rack-to-rack bytes over NIC pairs (NIC k to NIC k), or, with
  // `loads` null, returns the slowest NIC-to-NIC path latency between the two racks.
  double spread_rack_pair(int rack_a, int rack_b, int nics_per_rack, const GraphParts& g, double bytes, PhaseLoads* loads) const;
  // The summed bandwidth of a chip's host links towards the scale-out fabric.
  double egress_Bps(int chip, const std::vector<Link>& links) const;
  double rack_egress_Bps(int rack, int nics_per_rack, const std::vector<Link>& links) const;
  // Indexes the switch layers for leaf_path() (build() calls it last).
  void index_switches(const GraphParts& g);
  // ECMP between two leaves over the switch layers (cached).
  const PathSet& leaf_path(int from_leaf, int to_leaf, const GraphParts& g) const;

 private:
  // Builders, in order (clos.cpp).
  std::vector<int> add_nics(const ClusterShape& s, GraphParts& g);
  void attach_striped(const ClusterShape& s, GraphParts& g, const std::vector<int>& nic_vertex);
  void attach_own_nics(const ClusterShape& s, GraphParts& g, const std::vector<int>& nic_vertex);
  void build_clos(const ClusterShape& s, GraphParts& g, const std::vector<int>& nic_vertex);
  // Adds chip -> NIC (up) or NIC -> chip traffic; returns its latency.
  double host_access(int chip, int way, int nics_per_rack, int chips_per_rack, const std::vector<Link>& links, double bytes, bool up,
                     PhaseLoads& loads, int& nic) const;
  int nic_ways(int chip, int nics_per_rack) const;
  // The slowest NIC-to-NIC path between two striped racks (cached).
  double rack_pair_latency(int rack_a, int rack_b, int nics_per_rack, const GraphParts& g) const;

  std::vector<std::vector<int>> chip_nics_;  // per chip: NIC indices (own NICs only)
  std::vector<int> host_up_, host_down_;     // own NICs: per (chip, k-th NIC) pair, flattened like chip_nics
  std::vector<int> chip_nic_offset_;         // start of a chip's entries in host_up/host_down
  bool striped_ = false;
  std::vector<int> chip_host_up_, chip_host_down_;  // striped: chip <-> its rack's host switch
  std::vector<int> host_nic_up_, host_nic_down_;    // striped: host switch <-> NIC, per NIC
  std::vector<int> nic_up_, nic_down_, nic_leaf_;   // per NIC
  std::vector<int> switches_;                        // scale-out switch vertices
  int switch_links_begin_ = 0, switch_links_end_ = 0;  // the links between scale-out switches lie in this range
  // Each scale-out switch's place in the Clos (parallel to switches_, leaves first: leaf l is
  // switches_[l]): its level (1: a leaf) and its pod at that level (a leaf: its own index).
  // span_[l]: the leaves under one level-l pod, 0 at the top level (one pod joins them all).
  struct ClosPlace {
    int level = 1;
    int64_t pod = 0;
  };
  std::vector<ClosPlace> place_;
  std::vector<int64_t> span_;
  // Hops from a switch (an index into switches_) down to one leaf, from the Clos's structure:
  // up to the lowest level whose pod holds both, then down. What a search over the switch graph
  // finds (the tests compare them), without an array over every switch per destination leaf.
  class LeafDistance {
   public:
    LeafDistance(const ScaleOutTier& t, int leaf);
    int operator()(int local) const;
    // Whether the switch's pod holds the leaf (the hops to it then all lead down).
    bool holds(int local) const { return pod_[t_.place_[local].level] == t_.place_[local].pod; }

   private:
    const ScaleOutTier& t_;
    std::vector<int64_t> pod_;  // the leaf's pod at each level
  };

  // Route caches, filled on first use by any thread.
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<uint64_t, PathSet> leaf_paths_;
  // The switch layers alone, compactly indexed: ECMP between leaves never looks at chips or
  // NICs. `share` is leaf_path's scratch (one entry per switch, all 0 between calls).
  struct SwitchGraph {
    std::vector<int> local;                             // vertex -> index among switches, or -1
    // Per switch: (next switch, link id) up the tree and down it, each in link-id order.
    std::vector<std::vector<std::pair<int, int>>> up, down;
    std::vector<double> share;
    std::vector<std::pair<int, double>> links;  // leaf_path's scratch for the path being built
  };
  mutable SwitchGraph switch_graph_;
  mutable std::unordered_map<uint64_t, double> rack_pair_latency_;
};

struct Fabric::Impl {
  ClusterShape shape;
  GraphParts g;
  std::vector<int> core_up, core_down;  // per endpoint: core -> chip (or die) and back
  DieTier dies;
  ScaleUpTier up;
  ScaleOutTier out;
};

// A few of the fabric's links (a rack's scale-up fabric, a chip's dies) and their end vertices as a
// small flat graph, so that path finding never touches (or zeroes arrays the size of) the rest.
struct LinkSubgraph {
  std::vector<int> vertex;               // local index -> fabric vertex, ascending
  std::vector<char> forwards;            // per local vertex: traffic may pass through it
  std::vector<int> out_begin, in_begin;  // per local vertex (+1 at the end): offsets into out / in
  std::vector<std::pair<int, int>> out;  // (local target, link id), a vertex's in link-id order
  std::vector<int> in;                   // local source of each in-link
  int local(int v) const;                // -1 when v is not in it
};
// The links [first, first + count) and their ends; `forwards(v)` for a fabric vertex v.
LinkSubgraph link_subgraph(const std::vector<Link>& links, int first, int count, const std::function<bool(int)>& forwards);
// Equal-cost multipath split of one unit of traffic between every ordered pair of `ends` (fabric
// vertices) over shortest paths in `s`, passing only through vertices that forward; link ids
// stored minus `base`. A pair with no route has no links and 0 hops.
PathTable ecmp_table(const LinkSubgraph& s, const std::vector<Link>& links, const std::vector<int>& ends, int base);

}  // namespace rackscope::fabric
