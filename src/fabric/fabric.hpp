#pragma once
// The cluster as a graph: chips, NICs and switches joined by directed links, each with a
// bandwidth, a latency and a tier. Built once from a ClusterSpec; then routes flows between
// chips (dimension-order on tori, ECMP on switched fabrics) and adds their bytes to per-link
// loads, so collective timing sees contention on shared links. Boost.Graph stays inside
// src/fabric/: this header is all the rest of rackscope sees.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "hw/cluster_spec.hpp"

namespace rackscope::fabric {

enum class Tier { on_chip, die_to_die, scale_up, host, scale_out };
const char* tier_name(Tier t);
enum class VertexKind { chip, core, nic, switch_, die };

struct Link {
  int from = 0, to = 0;
  double bandwidth_Bps = 0, latency_s = 0;
  Tier tier = Tier::scale_up;
  // Parallel cables this link stands for (bandwidth_Bps is their sum): the top of a Clos too
  // small to fill its switches' ports joins each switch below by a bundle, not one cable each to
  // switches that would stay nearly empty. Counted for cost; fits the struct's padding.
  int cables = 1;
};
static_assert(sizeof(Link) == 32, "a million-chip fabric holds tens of millions of links: keep Link at 32 bytes");

// Bytes per link for one phase of a collective. Flows that cross the scale-out fabric are
// gathered per (source leaf, destination leaf) and spread over their ECMP paths once, at the end.
class PhaseLoads {
 public:
  explicit PhaseLoads(size_t links) : bytes_(links, 0.0) {
    touched_.resize(std::min<size_t>(links, size_t{1} << 16));
    touched_.clear();
  }
  void add(int link, double bytes) {
    if (bytes_[link] == 0.0) touched_.push_back(link);
    bytes_[link] += bytes;
  }
  void add_pending(int leaf_from, int leaf_to, double bytes) {
    pending_[(static_cast<uint64_t>(leaf_from) << 32) | static_cast<uint32_t>(leaf_to)] += bytes;
  }
  // Striped racks: traffic between two racks, spread over their NIC pairs once, at the end.
  void add_rack_pair(int rack_from, int rack_to, double bytes) {
    rack_pairs_[(static_cast<uint64_t>(rack_from) << 32) | static_cast<uint32_t>(rack_to)] += bytes;
  }
  void clear();
  const std::vector<int>& touched() const { return touched_; }
  double bytes(int link) const { return bytes_[link]; }

 private:
  friend class Fabric;
  std::vector<double> bytes_;
  std::vector<int> touched_;
  std::unordered_map<uint64_t, double> pending_;
  std::unordered_map<uint64_t, double> rack_pairs_;
};

struct Route {
  double latency_s = 0;
  int hops = 0;
};

class Fabric {
 public:
  explicit Fabric(const hw::ClusterSpec& spec);
  ~Fabric();
  Fabric(const Fabric&) = delete;
  Fabric& operator=(const Fabric&) = delete;

  const hw::ClusterSpec& spec() const;
  int chips() const;
  int racks() const;
  int chips_per_rack() const;
  int rack_of_chip(int chip) const { return chip / chips_per_rack(); }
  // Endpoints are the ranks' cores: endpoint e is core e % ranks_per_chip of chip e / ranks_per_chip.
  int endpoints() const;
  int chip_of(int endpoint) const { return endpoint / ranks_per_chip_; }
  int rack_of(int endpoint) const { return rack_of_chip(chip_of(endpoint)); }
  int vertices() const;
  int count(VertexKind k) const;
  const std::vector<Link>& links() const;
  VertexKind kind(int vertex) const;
  std::string vertex_name(int vertex) const;

  // Adds a flow of `bytes` from endpoint `src` to endpoint `dst` to `loads`: out of the source
  // core, across the fabric between their chips (if different), into the destination core. On
  // a chip of several dies a core hangs off its die: traffic between cores of different dies
  // crosses die-to-die links, and traffic leaving the chip passes die -> chip.
  // Returns the route's latency and hop count.
  Route route(int src, int dst, double bytes, PhaseLoads& loads) const;
  // route() in two parts, loads only: the endpoints' own links (cores, and dies on a chip of
  // several), and the links between two different chips. Flows between the same two chips share
  // the second part, so a caller with many of them can add it once for their summed bytes.
  void route_ends(int src, int dst, double bytes, PhaseLoads& loads) const;
  void route_chips(int chip_a, int chip_b, double bytes, PhaseLoads& loads) const;
  // An endpoint's traffic to (up) or from (down) the switch of its single-level switch domain;
  // used by in-switch reduction. Returns the latency.
  double route_to_switch(int endpoint, double bytes, bool up, PhaseLoads& loads) const;
  bool has_in_switch_reduction() const;
  // The bandwidth of the links that every byte from `chip` to another rack crosses (its host
  // links to its NICs or its rack's host switch); 0 without a scale-out fabric. A floor under a
  // phase's busiest link without routing it: bytes leaving the chip / this.
  double scale_out_egress_Bps(int chip) const;
  // Likewise for a whole rack: the summed bandwidth of its NICs' links up to their leaves.
  double rack_egress_Bps(int rack) const;
  // Spreads pending scale-out traffic, then returns max over links of bytes / bandwidth.
  double max_link_time(PhaseLoads& loads) const;

  // A ring order of `endpoints` that keeps neighbours adjacent (cores of a chip together,
  // chips in snake order inside tori, racks in order).
  std::vector<int> ring_order(std::vector<int> endpoints) const;
  // Torus dims of the rack (empty when the rack is not a torus) and a chip's coordinates in it.
  const std::vector<int>& torus_dims() const;
  std::vector<int> torus_coords(int chip) const;

  struct Impl;

 private:
  void between_chips(int a, int b, double bytes, PhaseLoads& loads, Route* r) const;
  std::unique_ptr<Impl> impl_;
  int ranks_per_chip_ = 1;
};

}  // namespace rackscope::fabric
