#include <doctest/doctest.h>

#include <algorithm>

#include "fabric/clos_shape.hpp"
#include "fabric/describe.hpp"
#include "fabric/size_estimate.hpp"
#include "test_clusters.hpp"

using namespace rackscope;

// k-ary n-cube with k even: diameter n*k/2 hops; halving along one dimension cuts the k^(n-1)
// lines of that dimension twice (middle and wraparound), so 2*k^(n-1) links each direction.
TEST_CASE("fabric: torus diameter and bisection are exact") {
  const double bw = 100e9;
  struct Case {
    std::vector<int> dims;
    int diameter;
    double bisection_links;
  };
  for (const Case& c : {Case{{4, 4}, 4, 8}, Case{{4, 4, 4}, 6, 32}, Case{{8, 8, 8}, 12, 128}}) {
    const fabric::Fabric f(test::torus_cluster(c.dims, bw));
    const auto d = fabric::describe(f);
    CAPTURE(c.dims.size());
    CHECK(d.diameter_hops == c.diameter);
    CHECK(d.bisection_Bps == doctest::Approx(c.bisection_links * bw));
    int n = 1;
    for (int k : c.dims) n *= k;
    // n*dims torus links, and one on-chip link from each chip to its core (the tier table's total).
    CHECK(d.links == n * static_cast<int>(c.dims.size()) + n);
  }
}

// A torus rack as the shipped Trn2 servers build it: every chip also on the rack's host (PCIe)
// switch, which stripes its network traffic over all the rack's NICs on one Clos leaf. The host
// switch reaches the network only, so chips still meet over the torus or through the leaf:
//  - diameter: min(torus distance, 6) over chip pairs, 6 being chip -> host -> NIC -> leaf ->
//    NIC -> host -> chip (any NIC: striped), so n*k/2 while that is at most 6;
//  - bisection: the torus cut 2*k^(n-1)*B plus what the network carries between the halves,
//    min(half the chips * host bandwidth, NICs * NIC bandwidth) (the leaf is non-blocking).
// Through the host switch as a path (the old reading) the 4x4 torus had diameter 2.
TEST_CASE("fabric: a torus rack's host switch is not a path between chips") {
  const double B = 100e9, Bh = 128e9, Bn = 25e9;
  struct Case {
    std::vector<int> dims;
    int diameter;
    double torus_cut_links;
  };
  for (const Case& c : {Case{{4, 4}, 4, 8}, Case{{4, 4, 4}, 6, 32}, Case{{8, 8, 8}, 6, 128}}) {
    hw::ClusterSpec spec = test::torus_cluster(c.dims, B);
    const int n = spec.rack.chips;
    test::join_by_clos(spec, {n, Bn, 1e-6, true, Bh}, 64, 400e9, 1e-6);
    const fabric::Fabric f(spec);
    const auto d = fabric::describe(f);
    CAPTURE(n);
    CHECK(d.diameter_hops == c.diameter);
    CHECK(d.bisection_Bps == doctest::Approx(c.torus_cut_links * B + std::min(n / 2 * Bh, n * Bn)));
    int table = 0;
    for (const auto& t : d.tiers) table += t.links;
    CHECK(d.links == table);
  }
}

// A two-level Clos: 8 racks of 2 chips on one scale-up switch, a 50 GB/s NIC per chip, radix-8
// leaves with 4 NIC ports and 4 uplinks of 50 GB/s (non-blocking): 16 NICs on 4 leaves under 2
// spines (16 uplinks fill 2 spines' 8 ports: each leaf joins each spine by 2 cables). Diameter: chip -> NIC -> leaf -> spine -> leaf -> NIC -> chip = 6. Bisection: the racks
// halved, 8 chips each side, each limited by its NIC: 8 * 50 GB/s; halving every rack instead
// gives 8 * 300 GB/s over the scale-up switches plus the network, more.
TEST_CASE("fabric: two-level Clos diameter and bisection are exact") {
  hw::ClusterSpec spec = test::switch_cluster(2, 300e9);
  spec.racks = 8;
  test::join_by_clos(spec, {2, 50e9, 1e-6}, 8, 50e9, 1e-6);
  const fabric::Fabric f(spec);
  const auto d = fabric::describe(f);
  CHECK(d.switches == 8 + 4 + 2);  // a scale-up switch per rack, 4 leaves, 2 spines
  CHECK(d.diameter_hops == 6);
  CHECK(d.bisection_Bps == doctest::Approx(8 * 50e9));
  // Links, as cables: 16 chip-switch, 16 chip-NIC, 16 NIC-leaf + 16 leaf-spine, 16 core-chip.
  CHECK(d.links == 16 + 16 + 32 + 16);
  // The bundles carry what single cables to 4 spines would: a byte from the first leaf to the
  // last splits over the 2 spines, half a byte on each 2-cable (100 GB/s) bundle, the time of a
  // quarter byte on one 50 GB/s cable.
  fabric::PhaseLoads loads(f.links().size());
  f.route(0, 15, 1.0, loads);
  f.max_link_time(loads);
  int bundles = 0;
  for (int id : loads.touched()) {
    const fabric::Link& l = f.links()[id];
    if (l.tier != fabric::Tier::scale_out || f.kind(l.from) != fabric::VertexKind::switch_ ||
        f.kind(l.to) != fabric::VertexKind::switch_)
      continue;
    ++bundles;
    CHECK(l.cables == 2);
    CHECK(loads.bytes(id) / l.bandwidth_Bps == doctest::Approx(0.25 / 50e9));
  }
  CHECK(bundles == 4);  // up to each spine and down from it
}

TEST_CASE("fabric: dimension-order routing takes the short way and splits ties") {
  const fabric::Fabric f(test::torus_cluster({8}, 100e9, 1e-6));
  fabric::PhaseLoads loads(f.links().size());
  // 0 -> 3 forward is 3 hops, backward 5: forward only (plus the two core links).
  auto r = f.route(0, 3, 1.0, loads);
  CHECK(r.hops == 2 + 3);
  CHECK(r.latency_s == doctest::Approx(3e-6));
  CHECK(f.max_link_time(loads) == doctest::Approx(1.0 / 100e9));
  loads.clear();
  // 0 -> 4 is 4 hops either way: half each way.
  r = f.route(0, 4, 1.0, loads);
  CHECK(r.hops == 2 + 4);
  CHECK(f.max_link_time(loads) == doctest::Approx(0.5 / 100e9));
}

TEST_CASE("fabric: switch planes share a flow evenly (ECMP)") {
  const fabric::Fabric f(test::switch_cluster(8, 300e9, 0.5e-6, 6));
  fabric::PhaseLoads loads(f.links().size());
  const auto r = f.route(0, 5, 6.0, loads);
  CHECK(r.hops == 2 + 2);
  CHECK(r.latency_s == doctest::Approx(1e-6));
  // 6 bytes over 6 planes of 50 GB/s: 1 byte per plane link.
  CHECK(f.max_link_time(loads) == doctest::Approx(1.0 / 50e9));
  const auto d = fabric::describe(f);
  CHECK(d.switches == 6);
  CHECK(d.diameter_hops == 2);
  // Half the chips (4) each push 300 GB/s into the planes.
  CHECK(d.bisection_Bps == doctest::Approx(4 * 300e9));
}

TEST_CASE("fabric: snake ring order keeps torus neighbours adjacent") {
  const fabric::Fabric f(test::torus_cluster({4, 4}));
  std::vector<int> chips(16);
  for (int i = 0; i < 16; ++i) chips[i] = 15 - i;
  const auto order = f.ring_order(chips);
  fabric::PhaseLoads loads(f.links().size());
  for (int i = 0; i < 16; ++i) CHECK(f.route(order[i], order[(i + 1) % 16], 1.0, loads).hops == 2 + 1);
}

// A folded Clos of radix 4 (2 ports down, 2 up below the top) joins 4 leaves at two levels,
// 8 at three, 16 at four: 32 one-chip racks with one NIC each fill 16 leaves (2 NICs per leaf).
TEST_CASE("fabric: a four-level Clos joins what three cannot, non-blocking") {
  hw::ClusterSpec spec = test::two_racks(1, 100e9, 1e-6, 400e9, 1e-6, 1e-6);
  spec.racks = 32;
  spec.scale_out.radix = 4;
  spec.scale_out.max_levels = 3;
  CHECK(fabric::clos_shape(spec).problem == "16 leaves need 8 pods, more than a 3-level Clos of radix 4 joins (4 at most)");
  spec.scale_out.max_levels = 4;
  const fabric::ClosShape s = fabric::clos_shape(spec);
  REQUIRE(s.problem.empty());
  CHECK(s.levels == 4);
  CHECK(s.leaves == 16);
  CHECK(s.level_pods == std::vector<int64_t>{0, 0, 8, 4, 1});
  CHECK(s.level_positions == std::vector<int64_t>{0, 0, 2, 4, 8});
  const fabric::Fabric f(spec);
  const auto d = fabric::describe(f);
  CHECK(d.switches == 32 + 16 + 8 * 2 + 4 * 4 + 8);  // a scale-up switch per rack, leaves, levels 2-3, cores
  // chip -> NIC -> leaf -> level 2 -> level 3 -> core and down again: 10 hops between the two halves.
  fabric::PhaseLoads loads(f.links().size());
  CHECK(f.route(0, 31, 1.0, loads).hops == 2 + 10);
  // Non-blocking: the 16 NICs of one half (400 GB/s each) can all send across the middle at once.
  CHECK(d.bisection_Bps == doctest::Approx(16 * 400e9));
  // Five levels are not needed: the builder uses as few as join the racks.
  spec.scale_out.max_levels = 6;
  CHECK(fabric::clos_shape(spec).levels == 4);
  spec.racks = 33;
  CHECK(fabric::clos_shape(spec).levels == 5);
}

// The up-front estimate counts what the builders make: vertices and links exactly, for a torus
// rack with striped NICs, switch racks on a 2-level Clos and a 3-level Clos (so its bytes, a
// per-link and per-vertex cost, rest on the real counts).
TEST_CASE("fabric: the size estimate counts the vertices and links the builders make") {
  std::vector<hw::ClusterSpec> specs;
  hw::ClusterSpec torus = test::torus_cluster({4, 4, 4});
  torus.rack.nics = {64, 25e9, 1e-6, true, 128e9};
  torus.scale_out.kind = hw::ScaleOutSpec::Kind::clos;
  torus.scale_out.radix = 64;
  torus.scale_out.link_bandwidth_Bps = 400e9;
  specs.push_back(torus);
  hw::ClusterSpec clos = test::switch_cluster(2, 300e9, 0.7e-6, 2);
  clos.racks = 8;
  clos.rack.nics = {2, 50e9, 1e-6};
  clos.scale_out.kind = hw::ScaleOutSpec::Kind::clos;
  clos.scale_out.radix = 8;
  clos.scale_out.link_bandwidth_Bps = 50e9;
  specs.push_back(clos);
  hw::ClusterSpec big = clos;
  big.racks = 40;  // 80 NICs on radix-8 leaves (4 down): 20 leaves > 8, so 3 levels
  specs.push_back(big);
  hw::ClusterSpec deep = test::two_racks(1, 100e9, 1e-6, 400e9, 1e-6, 1e-6);  // the four-level Clos above
  deep.racks = 32;
  deep.scale_out.radix = 4;
  deep.scale_out.max_levels = 4;
  specs.push_back(deep);
  for (const auto& spec : specs) {
    const fabric::Fabric f(spec);
    const auto e = fabric::estimate_size(spec);
    CAPTURE(spec.racks);
    CHECK(e.vertices == f.vertices());
    CHECK(e.links == static_cast<double>(f.links().size() / 2));
    CHECK(e.chips == f.chips());
  }
}

namespace {
// The reference for the Clos's structural routing: ECMP between two leaves found by search.
// Hop distances to the destination leaf by BFS over the scale-out links between switches, then
// one unit pushed downhill, split equally among the next hops one hop closer; adds bytes x
// share to `loads` per link and returns the hops.
int searched_leaf_path(const fabric::Fabric& f, int from_leaf, int to_leaf, double bytes, std::vector<double>& loads) {
  const auto& links = f.links();
  auto switch_link = [&](const fabric::Link& l) {
    return l.tier == fabric::Tier::scale_out && f.kind(l.from) == fabric::VertexKind::switch_ && f.kind(l.to) == fabric::VertexKind::switch_;
  };
  std::vector<int> dist(f.vertices(), -1);
  std::vector<int> queue = {to_leaf};
  dist[to_leaf] = 0;
  for (size_t head = 0; head < queue.size(); ++head)
    for (const auto& l : links)
      if (switch_link(l) && l.to == queue[head] && dist[l.from] < 0) dist[l.from] = dist[l.to] + 1, queue.push_back(l.from);
  std::vector<double> share(f.vertices(), 0.0);
  share[from_leaf] = 1.0;
  for (int d = dist[from_leaf]; d > 0; --d)
    for (int v = 0; v < f.vertices(); ++v) {
      if (dist[v] != d || share[v] == 0.0) continue;
      int ways = 0;
      for (const auto& l : links) ways += switch_link(l) && l.from == v && dist[l.to] == d - 1;
      for (size_t id = 0; id < links.size(); ++id)
        if (switch_link(links[id]) && links[id].from == v && dist[links[id].to] == d - 1) {
          loads[id] += bytes * share[v] / ways;
          share[links[id].to] += share[v] / ways;
        }
    }
  return dist[from_leaf];
}

// Each chip's leaf: one NIC per chip (own NICs), the far end of the NIC's scale-out link.
std::vector<int> leaf_of_chips(const fabric::Fabric& f) {
  std::vector<int> nic_of(f.vertices(), -1), leaf_of_nic(f.vertices(), -1), leaf(f.chips(), -1);
  for (const auto& l : f.links()) {
    if (l.tier == fabric::Tier::host && l.from < f.chips()) nic_of[l.from] = l.to;
    if (l.tier == fabric::Tier::scale_out && f.kind(l.from) == fabric::VertexKind::nic) leaf_of_nic[l.from] = l.to;
  }
  for (int c = 0; c < f.chips(); ++c) leaf[c] = leaf_of_nic[nic_of[c]];
  return leaf;
}
}  // namespace

// The scale-out routes come from the Clos's structure (levels and pods), not a search per
// destination leaf: on small 2-, 3- and 4-level trees (full and with a partial last pod) and a
// rail layout, every route's hops and every switch link's load after a phase of flows between
// all pairs of racks match ECMP found by breadth-first search.
TEST_CASE("fabric: Clos routes from the tree's structure match a search (2, 3 and 4 levels, rail)") {
  struct Case {
    int racks, radix, levels;
    bool rail;
  };
  for (const Case c : {Case{4, 8, 2, false}, Case{8, 4, 3, false}, Case{7, 4, 3, false}, Case{13, 4, 4, false}, Case{16, 4, 4, false},
                       Case{6, 4, 3, true}}) {
    CAPTURE(c.racks);
    CAPTURE(c.radix);
    CAPTURE(c.rail);
    hw::ClusterSpec spec = test::switch_cluster(2, 300e9, 0.7e-6);
    spec.racks = c.racks;
    test::join_by_clos(spec, {2, 400e9, 1e-6}, c.radix, 400e9, 1e-6);
    spec.scale_out.max_levels = 4;
    if (c.rail) spec.scale_out.kind = hw::ScaleOutSpec::Kind::rail;
    REQUIRE(fabric::clos_shape(spec).levels == c.levels);
    const fabric::Fabric f(spec);
    const std::vector<int> leaf = leaf_of_chips(f);
    fabric::PhaseLoads loads(f.links().size());
    std::vector<double> expected(f.links().size(), 0.0);
    for (int a = 0; a < f.chips(); ++a)
      for (int b = 0; b < f.chips(); ++b) {
        if (f.rack_of_chip(a) == f.rack_of_chip(b)) continue;
        const double bytes = 1.0 + a + 0.5 * b;  // unequal, so a misplaced share shows
        fabric::PhaseLoads one(f.links().size());
        const int hops = f.route(a, b, bytes, one).hops;
        f.route(a, b, bytes, loads);
        // core, chip -> NIC, NIC -> leaf, the leaves' path, leaf -> NIC, NIC -> chip, core
        std::vector<double> unused(f.links().size(), 0.0);
        CHECK(hops == 6 + (leaf[a] == leaf[b] ? 0 : searched_leaf_path(f, leaf[a], leaf[b], 0, unused)));
        if (leaf[a] != leaf[b]) searched_leaf_path(f, leaf[a], leaf[b], bytes, expected);
      }
    f.max_link_time(loads);
    for (size_t id = 0; id < f.links().size(); ++id) {
      const auto& l = f.links()[id];
      if (l.tier != fabric::Tier::scale_out || f.kind(l.from) != fabric::VertexKind::switch_ || f.kind(l.to) != fabric::VertexKind::switch_)
        continue;
      CHECK(loads.bytes(static_cast<int>(id)) == doctest::Approx(expected[id]).epsilon(1e-12));
    }
  }
}

// Rack 0's unit routes are kept across fabrics of the same rack (a sweep over rack counts builds
// them once) and only those: a rack whose links differ, here in latency, gets its own routes.
TEST_CASE("fabric: rack routes are shared by fabrics of one rack, never across different racks") {
  hw::ClusterSpec spec = test::switch_cluster(8, 300e9, 0.7e-6, 2);
  auto route_in_rack = [](const hw::ClusterSpec& s, int rack) {
    const fabric::Fabric f(s);
    fabric::PhaseLoads loads(f.links().size());
    const int cpr = f.chips_per_rack();
    return f.route(rack * cpr, rack * cpr + cpr - 1, 1.0, loads);
  };
  const auto one = route_in_rack(spec, 0);
  spec.racks = 3;
  test::join_by_clos(spec, {8, 50e9, 1e-6}, 64, 400e9, 1e-6);
  const auto shared = route_in_rack(spec, 2);
  CHECK(shared.hops == one.hops);
  CHECK(shared.latency_s == one.latency_s);
  hw::ClusterSpec slower = spec;
  std::get<hw::SwitchSpec>(slower.rack.scale_up).link_latency_s = 2e-6;
  const auto own = route_in_rack(slower, 1);
  CHECK(own.hops == one.hops);
  // core up + chip -> leaf -> chip + core down; the two switch hops now 2 us each.
  CHECK(own.latency_s == doctest::Approx(one.latency_s + (own.hops - 2) * (2e-6 - 0.7e-6)));
}
