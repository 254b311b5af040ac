#pragma once
// Internal state of a Fabric; only src/fabric/*.cpp include this (it brings in Boost.Graph).
#include <boost/graph/adjacency_list.hpp>

#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fabric/fabric.hpp"

namespace rackscope::fabric {

struct EdgeData {
  int id = 0;  // index into Fabric::Impl::links
};
using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS, boost::no_property, EdgeData>;

// Where one unit of traffic goes between two vertices: links with the share each carries.
struct PathSet {
  std::vector<std::pair<int, double>> links;
  double latency_s = 0;
  int hops = 0;
};

struct Fabric::Impl {
  hw::ClusterSpec spec;
  Graph graph;
  std::vector<Link> links;
  std::vector<VertexKind> kinds;
  std::vector<std::string> names;
  int chips = 0, racks = 0, chips_per_rack = 0;

  // Rack r's scale-up links are rack 0's shifted by r * rack_links; its switches likewise by
  // r * rack_switches. Routes inside a rack are computed once on rack 0 and shifted.
  int rack_link_base = 0, rack_links = 0;
  int rack_switch_base = 0, rack_switches = 0;
  int ranks_per_chip = 1;
  std::vector<int> core_up, core_down;  // per endpoint: core -> chip (or die) and back
  // Chips of several dies: die d of chip c is vertex die_base + c * dies + d; its link to the
  // chip is die_up (die -> chip; +1 is chip -> die). Chip c's die links are chip 0's shifted by
  // c * chip_die_links; die_paths are chip 0's routes between its dies.
  int dies = 1, die_base = 0, chip_die_links = 0;
  std::vector<int> rank_die;     // per core of a chip
  std::vector<int> die_up;       // per (chip, die)
  std::vector<PathSet> die_paths;  // [a * dies + b], chip 0's link ids
  void build_dies();
  // Adds core src's and dst's die hops for traffic between chips (or between dies of a chip).
  void route_dies(int src, int dst, bool same_chip, double bytes, PhaseLoads& loads, Route& r) const;

  // Torus racks: dims and, per local chip and dimension, the link to the + and - neighbour.
  std::vector<int> dims;
  std::vector<std::pair<int, int>> torus_next;  // [local * dims + d] -> (+link, -link), rack-0 ids

  // Switched and explicit racks: unit routes between local chips, rack-0 link ids.
  std::vector<PathSet> local_paths;  // [src_local * chips_per_rack + dst_local]
  std::vector<std::vector<int>> switch_up, switch_down;  // per local chip: links to/from its leaves
  bool in_switch_reduction = false;

  // Scale-out: each chip reaches one or more NICs (its own, or every NIC of its rack through a
  // host switch when striped); each NIC hangs off one leaf switch.
  std::vector<std::vector<int>> chip_nics;  // per chip: NIC indices (own NICs only)
  std::vector<int> host_up, host_down;      // own NICs: per (chip, k-th NIC) pair, flattened like chip_nics
  std::vector<int> chip_nic_offset;         // start of a chip's entries in host_up/host_down
  bool striped = false;
  std::vector<int> chip_host_up, chip_host_down;  // striped: chip <-> its rack's host switch
  std::vector<int> host_nic_up, host_nic_down;    // striped: host switch <-> NIC, per NIC
  std::vector<int> nic_up, nic_down, nic_leaf;  // per NIC
  std::vector<int> so_switches;             // scale-out switch vertices
  mutable std::mutex cache_mutex;
  mutable std::unordered_map<uint64_t, PathSet> leaf_paths;
  // The switch layers alone, compactly indexed, and hop distances to each destination leaf
  // (computed once per leaf): ECMP between leaves never looks at chips or NICs.
  struct SwitchGraph {
    std::vector<int> local;                            // vertex -> index among switches, or -1
    std::vector<std::vector<std::pair<int, int>>> out;  // per switch: (next switch, link id)
    std::vector<std::vector<int>> in;                  // per switch: previous switches
  };
  mutable SwitchGraph switch_graph;
  mutable std::unordered_map<int, std::vector<int>> distance_to_leaf;
  mutable std::unordered_map<uint64_t, double> rack_pair_latency;

  int add_vertex(VertexKind k, std::string name);
  // Adds both directions of a physical link; returns the id of the a->b direction (b->a is +1).
  int add_link(int a, int b, double bandwidth_Bps, double latency_s, Tier tier);

  // Builders, one file each.
  void build_torus(const hw::TorusSpec& t, int rack);
  void build_switch_domain(const hw::SwitchSpec& s, int rack);
  void build_explicit(const hw::ExplicitSpec& e, int rack);
  void build_scale_out();
  void build_local_paths();

  const PathSet& leaf_path(int from_leaf, int to_leaf) const;
  // Adds chip -> NIC (up) or NIC -> chip traffic; returns its latency.
  double host_access(int chip, int way, int ways, double bytes, bool up, PhaseLoads& loads, int& nic) const;
  int nic_ways(int chip) const;
  // Striped racks: spreads rack-to-rack bytes over NIC pairs (NIC k to NIC k), or, with
  // `loads` null, returns the slowest NIC-to-NIC path latency between the two racks.
  double spread_rack_pair(int rack_a, int rack_b, double bytes, PhaseLoads* loads) const;
  void route_torus(int src_local, int dst_local, int rack, double bytes, PhaseLoads& loads, Route& r) const;
};

// Equal-cost multipath split of one unit of traffic from `src` to `dst` over shortest paths in
// `g`, passing only through vertices for which `forwards` is true. Empty when unreachable.
PathSet ecmp_paths(const Graph& g, const std::vector<Link>& links, int src, int dst, const std::vector<char>& forwards);

}  // namespace rackscope::fabric
