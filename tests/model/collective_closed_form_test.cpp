// Every algorithm on an uncontended fabric against its alpha-beta closed form. Notation: S
// message bytes, n ranks, B link bandwidth per direction, L link latency, e protocol bandwidth
// efficiency, s protocol step latency, lambda launch overhead. A route through a single switch
// is two links (chip->switch->chip): latency 2L.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "collective/select.hpp"
#include "collective/timing.hpp"
#include "../unit/test_clusters.hpp"

using namespace rackscope;
using collective::Op;

namespace {
const double S = 64.0 * 1024 * 1024;
const double e = 0.8, s = 2e-6, lambda = 5e-6;  // from test::simple_chip()

double time_of(const fabric::Fabric& f, Op op, int n, const std::string& algo, double bytes = S) {
  collective::Planner p(f, f.spec().rack.chip.collectives);
  const auto c = p.best(op, collective::first_ranks(f, n), bytes, algo);
  REQUIRE(c.has_value());
  return c->time_s;
}

}  // namespace

TEST_CASE("closed form: ring and bidirectional ring on a ring fabric") {
  const double B = 100e9, L = 1e-6;
  const int n = 8;
  const fabric::Fabric f(test::torus_cluster({n}, B, L));
  // Ring all-reduce: 2(n-1) steps, each moving S/n over one hop.
  CHECK(time_of(f, Op::allreduce, n, "ring") == doctest::Approx(lambda + 2 * (n - 1) * (S / n / (B * e) + L + s)));
  // Reduce-scatter / all-gather: n-1 of those steps.
  CHECK(time_of(f, Op::reducescatter, n, "ring") == doctest::Approx(lambda + (n - 1) * (S / n / (B * e) + L + s)));
  CHECK(time_of(f, Op::allgather, n, "ring") == doctest::Approx(lambda + (n - 1) * (S / n / (B * e) + L + s)));
  // Bidirectional: each direction's link carries S/(2n) per step.
  CHECK(time_of(f, Op::allreduce, n, "bidir-ring") == doctest::Approx(lambda + 2 * (n - 1) * (S / (2 * n) / (B * e) + L + s)));
  // Send/recv: every rank sends S one hop at once.
  CHECK(time_of(f, Op::sendrecv, n, "ring") == doctest::Approx(lambda + S / (B * e) + L + s));
  // Broadcast: a chain of n-1 hops pipelined in k chunks, (n-1+k-1)(S/k/(Be) + L + s), best k.
  double best = 1e30;
  for (int k = 1; k < 100000; ++k) best = std::min(best, (n - 1 + k - 1) * (S / k / (B * e) + L + s));
  CHECK(time_of(f, Op::broadcast, n, "ring") == doctest::Approx(lambda + best));
}

TEST_CASE("closed form: switch-domain algorithms") {
  const double B = 300e9, L = 0.5e-6;
  const int n = 8;
  hw::ClusterSpec spec = test::switch_cluster(n, B, L);
  auto& sw = std::get<hw::SwitchSpec>(spec.rack.scale_up);
  sw.in_switch_reduction = true;
  sw.reduction_bandwidth_Bps = 150e9;
  sw.reduction_latency_s = 10e-6;
  const fabric::Fabric f(spec);
  const double hop = 2 * L;
  CHECK(time_of(f, Op::allreduce, n, "ring") == doctest::Approx(lambda + 2 * (n - 1) * (S / n / (B * e) + hop + s)));
  // Halving-doubling: log2(n) exchanges of S/2, S/4, ... then the same back:
  // 2 * ((n-1)/n * S/(Be) + log2(n) (2L + s)).
  CHECK(time_of(f, Op::allreduce, n, "rhd") == doctest::Approx(lambda + 2 * ((n - 1.0) / n * S / (B * e) + 3 * (hop + s))));
  CHECK(time_of(f, Op::reducescatter, n, "rhd") == doctest::Approx(lambda + (n - 1.0) / n * S / (B * e) + 3 * (hop + s)));
  // Mesh all-reduce: direct reduce-scatter then direct all-gather, S/n to each of n-1 peers.
  CHECK(time_of(f, Op::allreduce, n, "mesh") == doctest::Approx(lambda + 2 * ((n - 1.0) / n * S / (B * e) + hop + s)));
  // Mesh all-to-all: S/n to each peer.
  CHECK(time_of(f, Op::alltoall, n, "mesh") == doctest::Approx(lambda + (n - 1.0) / n * S / (B * e) + hop + s));
  // In-switch reduction: (n+1)/n * S each way per chip link, capped by the switch's reduction
  // rate R per port (150 GB/s here binds: 1/R > (9/8)/(Be)), plus the reduction latency.
  CHECK(time_of(f, Op::allreduce, n, "in-switch") ==
        doctest::Approx(lambda + S * std::max((n + 1.0) / n / (B * e), 1 / 150e9) + hop + 10e-6 + s));
  // NCCL's NVLS chunking (enqueue.cc): 128 KiB chunks over 16 channels x 8 ranks = 128
  // operations, 64 KiB below 64 x 128 x 128 KiB = 1 GiB, 32 KiB below 8 x 128 x 64 KiB = 64 MiB,
  // 16 KiB below 2 x 128 x 32 KiB = 8 MiB.
  CHECK(collective::nvls_chunk(double(1 << 30), 131072, 128) == 131072);
  CHECK(collective::nvls_chunk(double(1 << 30) - 1, 131072, 128) == 65536);
  CHECK(collective::nvls_chunk(double(64 << 20), 131072, 128) == 65536);
  CHECK(collective::nvls_chunk(double(64 << 20) - 1, 131072, 128) == 32768);
  CHECK(collective::nvls_chunk(double(8 << 20), 131072, 128) == 32768);
  CHECK(collective::nvls_chunk(double(8 << 20) - 1, 131072, 128) == 16384);
  CHECK(collective::nvls_chunk(1024, 131072, 128) == 16384);
  // The NVLS tree's own rule (8 ranks per node, 16 channels): 128 KiB down to 64 KiB below
  // 4 x 128 x 128 KiB = 64 MiB and to 32 KiB below 128 x 64 KiB = 8 MiB; 64 KiB at most from
  // 4 nodes on.
  CHECK(collective::nvls_tree_chunk(double(64 << 20), 131072, 128, 2) == 131072);
  CHECK(collective::nvls_tree_chunk(double(64 << 20) - 1, 131072, 128, 2) == 65536);
  CHECK(collective::nvls_tree_chunk(double(8 << 20) - 1, 131072, 128, 2) == 32768);
  CHECK(collective::nvls_tree_chunk(double(1 << 30), 131072, 128, 4) == 65536);
  // Each chunk pays o on top of its bytes at the switch's rate: the floor becomes 1/R + o/chunk.
  // S = 64 MiB here: 64 KiB chunks; o = 40 ns.
  hw::ClusterSpec chunked = spec;
  auto& csw = std::get<hw::SwitchSpec>(chunked.rack.scale_up);
  csw.reduction_chunk_B = 131072, csw.reduction_channels = 16, csw.reduction_chunk_overhead_s = 40e-9;
  const fabric::Fabric fc(chunked);
  CHECK(time_of(fc, Op::allreduce, n, "in-switch") ==
        doctest::Approx(lambda + S * std::max((n + 1.0) / n / (B * e), 1 / 150e9 + 40e-9 / 65536) + hop + 10e-6 + s));
  // Double binary tree over 8 ranks (heap trees, second mirrored): the busiest chip sends 4
  // half-chunks per step (derivation: inner nodes send to a parent and two children in one tree
  // and to a parent in the other), so beta = 2/(Be); stages 2*floor(log2 8) = 6.
  collective::Planner p(f, f.spec().rack.chip.collectives);
  const auto& plans = p.plans(Op::allreduce, collective::first_ranks(f, n));
  const auto tree = std::find_if(plans.begin(), plans.end(), [](const auto& a) { return a.name == "tree"; });
  REQUIRE(tree != plans.end());
  CHECK(tree->pipeline_stages == 6);
  CHECK(tree->phases[0].seconds_per_byte == doctest::Approx(2.0 / B));
  CHECK(tree->phases[0].latency_s == doctest::Approx(hop));
  double best = 1e30;
  for (int k = 1; k < 100000; ++k) best = std::min(best, (6 + k - 1) * (S / k * 2 / (B * e) + hop + s));
  CHECK(time_of(f, Op::allreduce, n, "tree") == doctest::Approx(lambda + best));
  // With F steps posted per connection each stage's latency is paid once (the fill), then a chunk
  // waits for 1/F of it: (6 + k - 1) (S/k) beta + 6 alpha + (k - 1) alpha / F.
  const int F = 8;
  spec.rack.chip.collectives.network_steps_in_flight = F;
  const fabric::Fabric posted(spec);
  const double alpha = hop + s;
  best = 1e30;
  for (int k = 1; k < 100000; ++k) best = std::min(best, (6 + k - 1) * (S / k) * 2 / (B * e) + 6 * alpha + (k - 1) * alpha / F);
  CHECK(time_of(posted, Op::allreduce, n, "tree") == doctest::Approx(lambda + best));
}

TEST_CASE("closed form: torus dimension-ordered rings") {
  const double B = 100e9, L = 1e-6;
  const fabric::Fabric f(test::torus_cluster({4, 4}, B, L));
  // Dim 0 (k=4): bidirectional rings, each direction S/8 per step, 3 steps; dim 1: S/4 left,
  // S/32 per direction per step, 3 steps. All-reduce does both, then all-gathers back.
  const double rs = 3 * (S / 8 / (B * e) + L + s) + 3 * (S / 32 / (B * e) + L + s);
  CHECK(time_of(f, Op::allreduce, 16, "torus") == doctest::Approx(lambda + 2 * rs));
  CHECK(time_of(f, Op::reducescatter, 16, "torus") == doctest::Approx(lambda + rs));
}

TEST_CASE("closed form: hierarchical across two switch racks") {
  const double B = 300e9, L = 0.5e-6, Bn = 50e9, Lh = 1e-6, Lo = 2e-6;
  const int m = 4;
  hw::ClusterSpec spec = test::two_racks(m, B, L, Bn, Lh, Lo);
  const fabric::Fabric f(spec);
  // Intra-rack ring RS: (m-1)(S/m/(Be) + 2L + s). Across racks (one leaf holds all 8 NICs):
  // chip->NIC->leaf->NIC->chip, S/(2m) per step on NIC links, 2 steps for R = 2.
  const double intra = (m - 1) * (S / m / (B * e) + 2 * L + s);
  const double inter = 2 * (S / (2 * m) / (Bn * e) + 2 * Lh + 2 * Lo + s);
  CHECK(time_of(f, Op::allreduce, 2 * m, "hierarchical") == doctest::Approx(lambda + 2 * intra + inter));
}

TEST_CASE("closed form: in-network (SHARP) all-reduce across two racks") {
  // As the hierarchical case, with switches that reduce: after the intra-rack reduce-scatter each
  // rank sends its S/m into the network once and gets the sum back (S/m each way on its NIC link,
  // one step instead of the ring's 2 steps of S/(2m)), paying the switches' reduction latency Lr.
  const double B = 300e9, L = 0.5e-6, Bn = 50e9, Lh = 1e-6, Lo = 2e-6, Lr = 3e-6;
  const int m = 4;
  hw::ClusterSpec spec = test::two_racks(m, B, L, Bn, Lh, Lo);
  spec.scale_out.in_network_reduction = true;
  spec.scale_out.reduction_latency_s = Lr;
  const double intra = (m - 1) * (S / m / (B * e) + 2 * L + s);
  {
    const fabric::Fabric f(spec);
    const double inter = S / m / (Bn * e) + 2 * Lh + 2 * Lo + Lr + s;
    CHECK(time_of(f, Op::allreduce, 2 * m, "in-network") == doctest::Approx(lambda + 2 * intra + inter));
    // Reduce-scatter is not offered in the network (NCCL's CollNet serves all-reduce).
    collective::Planner p(f, f.spec().rack.chip.collectives);
    CHECK_FALSE(p.best(Op::reducescatter, collective::first_ranks(f, 2 * m), S, "in-network").has_value());
  }
  // A reduction engine slower than the NIC at its protocol efficiency caps the cross-rack step:
  // S/m at Br, not scaled by the protocol's efficiency.
  const double Br = 20e9;
  spec.scale_out.reduction_bandwidth_Bps = Br;
  const fabric::Fabric capped(spec);
  CHECK(time_of(capped, Op::allreduce, 2 * m, "in-network") ==
        doctest::Approx(lambda + 2 * intra + S / m / Br + 2 * Lh + 2 * Lo + Lr + s));
  // Without in-network reduction the algorithm does not apply.
  spec.scale_out.in_network_reduction = false;
  const fabric::Fabric plain(spec);
  collective::Planner p(plain, plain.spec().rack.chip.collectives);
  CHECK_FALSE(p.best(Op::allreduce, collective::first_ranks(plain, 2 * m), S, "in-network").has_value());
}

TEST_CASE("closed form: ranks sharing a chip go through their cores' links") {
  // Two ranks on one chip: every ring step moves S/2 out of one core and into the other, each
  // over its own core link (bandwidth Bc, latency Lc): 2 steps of S/2/(Bc e) + 2 Lc + s.
  const double Bc = 50e9, Lc = 0.25e-6;
  hw::ClusterSpec spec = test::torus_cluster({4});
  spec.rack.chip.ranks_per_chip = 2;
  spec.rack.chip.core_bandwidth_Bps = Bc;
  spec.rack.chip.core_latency_s = Lc;
  const fabric::Fabric f(spec);
  CHECK(f.endpoints() == 8);
  CHECK(time_of(f, Op::allreduce, 2, "ring") == doctest::Approx(lambda + 2 * (S / 2 / (Bc * e) + 2 * Lc + s)));
  // Eight ranks on the 4-chip ring: the core links (S/8 per step at 50 GB/s) are slower than
  // the 100 GB/s chip links, so each of the 14 steps costs S/8/(Bc e) plus a chip hop's latency.
  CHECK(time_of(f, Op::allreduce, 8, "ring") == doctest::Approx(lambda + 14 * (S / 8 / (Bc * e) + 2 * Lc + 1e-6 + s)));
}

TEST_CASE("closed form: a ring across racks uses one channel per NIC") {
  // Two racks of 4 chips, each chip with its own NIC (Bn, host latency Lh, switch hop Lo). The
  // ring over 8 ranks runs as 4 channel rings, each rotated so another chip carries the
  // rack-to-rack hop; each channel moves S/(8*4) per step. NIC links then carry S/32 per step
  // (slower than the S/8 leaving each chip at B through the rack switch), and the slowest route
  // is the crossing: 2 Lh + 2 Lo. All-reduce: 14 steps, each waiting for the crossing.
  const double B = 300e9, L = 0.5e-6, Bn = 50e9, Lh = 1e-6, Lo = 2e-6;
  hw::ClusterSpec spec = test::two_racks(4, B, L, Bn, Lh, Lo);
  const fabric::Fabric f(spec);
  CHECK(time_of(f, Op::allreduce, 8, "ring") == doctest::Approx(lambda + 14 * (S / 32 / (Bn * e) + 2 * Lh + 2 * Lo + s)));
  // A runtime with network steps in flight (NCCL): a piece passes the ring's edges in turn and
  // only 2 of every channel ring's 8 edges cross racks, so a quarter of the steps pay the
  // crossing's latency and the rest the rack switch's 2 L.
  spec.rack.chip.collectives.network_steps_in_flight = 8;
  const fabric::Fabric pipelined(spec);
  const double latency = 0.25 * (2 * Lh + 2 * Lo + s) + 0.75 * (2 * L + s);
  CHECK(time_of(pipelined, Op::allreduce, 8, "ring") == doctest::Approx(lambda + 14 * (S / 32 / (Bn * e) + latency)));
}

TEST_CASE("closed form: NCCL's tree on two nodes, each tier at its own protocol figures") {
  // Two racks of m = 4 chips (switch B, hop 2L), a NIC per chip (Bn). The runtime states a
  // network transport latency T (replacing the routes' 2 Lh + 2 Lo), and its protocol runs the
  // network at efficiency en with step cost sn, F steps in flight.
  const double B = 300e9, L = 0.5e-6, Bn = 25e9, Lh = 1e-6, Lo = 2e-6;
  const double en = 0.9, sn = 4e-6, T = 3e-6;
  const int F = 8;
  hw::ClusterSpec spec = test::two_racks(4, B, L, Bn, Lh, Lo);
  spec.rack.chip.collectives.protocols[0].network_bandwidth_efficiency = en;
  spec.rack.chip.collectives.protocols[0].network_step_latency_s = sn;
  spec.rack.chip.collectives.network_latency_s = T;
  spec.rack.chip.collectives.network_steps_in_flight = F;
  const fabric::Fabric f(spec);
  collective::Planner p(f, f.spec().rack.chip.collectives);
  const auto& plans = p.plans(Op::allreduce, collective::first_ranks(f, 8));
  const auto tree = std::find_if(plans.begin(), plans.end(), [](const auto& a) { return a.name == "tree"; });
  REQUIRE(tree != plans.end());
  // A chain of 4 in each rack, the two heads joined by the double tree: 2((m-1) + log2 2) = 8
  // stages, 2 of them across racks.
  CHECK(tree->pipeline_stages == 8);
  CHECK(tree->network_pipeline_stages == 2);
  // One tree per NIC (4 channels, 1/4 of the data each, each chain rotated so every chip heads
  // one). Per channel a chain edge carries 1/4 each way (two trees of 1/8); a chip sends 1/2 in
  // the middle of a chain, 1/4 at either end: over the 4 channels (2 middles, a head, a tail)
  // 1.5 S out of its switch link. Each head sends 1/4 (1/8 per tree) to the other rack's head
  // over its own NIC.
  const auto& ph = tree->phases[0];
  CHECK(ph.network);
  CHECK(ph.local_seconds_per_byte == doctest::Approx(1.5 / B));
  CHECK(ph.network_seconds_per_byte == doctest::Approx(0.25 / Bn));
  CHECK(ph.local_latency_s == doctest::Approx(2 * L));
  // Pipelined in k chunks: every stage passes the first chunk on at its own latency (6 local
  // steps of 2L + s, 2 network steps of T + sn), then k - 1 chunks follow at the slowest stage's
  // pace, its latency overlapped F ways (F steps posted on every connection); the data crosses
  // 8 + k - 1 steps of the busiest link at its tier's efficiency.
  const double beta = std::max(1.5 / (B * e), 0.25 / (Bn * en));
  const double local = 2 * L + s, net = T + sn;
  const double fill = 6 * local + 2 * net, pace = std::max(local, net) / F;
  double best = 1e30;
  for (int k = 1; k < 100000; ++k) best = std::min(best, (8 + k - 1) * (S / k) * beta + fill + (k - 1) * pace);
  CHECK(time_of(f, Op::allreduce, 8, "tree") == doctest::Approx(lambda + best));
}

TEST_CASE("closed form: NVLS tree across two and four switch racks, tiers overlapped") {
  // Racks of m = 4 chips on a reducing switch (B, hop 2L, reduction rate Rb, latency Lr), a NIC
  // per chip (Bn, route 2 Lh + 2 Lo across racks), F steps posted per connection.
  const double B = 300e9, L = 0.5e-6, Bn = 50e9, Lh = 1e-6, Lo = 2e-6, Rb = 150e9, Lr = 10e-6;
  const int m = 4, F = 8;
  auto racks_of = [&](int racks) {
    hw::ClusterSpec spec = test::two_racks(m, B, L, Bn, Lh, Lo);
    spec.racks = racks;
    auto& sw = std::get<hw::SwitchSpec>(spec.rack.scale_up);
    sw.in_switch_reduction = true;
    sw.reduction_bandwidth_Bps = Rb;
    sw.reduction_latency_s = Lr;
    spec.rack.chip.collectives.network_steps_in_flight = F;
    return spec;
  };
  const fabric::Fabric two(racks_of(2));
  // In the racks: each chip link (m+1)/m of S each way, capped at the switch's rate (binding
  // here: 1/Rb > 1.25/(Be)); one step of 2L + Lr + s. Across racks, R = 2: each rank's 1/m goes
  // over its NIC once each way (half per tree, the trees mirrored), in 2 stages of 2 Lh + 2 Lo + s.
  const double intra = S * std::max((m + 1.0) / m / (B * e), 1 / Rb), inter = S / m / (Bn * e);
  const double steps = (2 * L + Lr + s) + 2 * (2 * Lh + 2 * Lo + s);
  // The tiers overlap: the slower data time whole, the other's for one of the F steps in flight.
  CHECK(time_of(two, Op::allreduce, 2 * m, "in-switch-tree") ==
        doctest::Approx(lambda + steps + std::max(intra, inter) + std::min(intra, inter) / F));
  // Four racks: NCCL's tree (root 0 with one child, 2; ranks 1 and 3 under 2; the second tree
  // mirrored) makes rank 2 inner in one tree and rank 1 in the other: 2 x 1/m each way on their
  // NICs, over 2 floor(log2 4) = 4 network stages.
  const fabric::Fabric four(racks_of(4));
  collective::Planner p(four, four.spec().rack.chip.collectives);
  const auto& plans = p.plans(Op::allreduce, collective::first_ranks(four, 4 * m));
  const auto nvls = std::find_if(plans.begin(), plans.end(), [](const auto& a) { return a.name == "in-switch-tree"; });
  REQUIRE(nvls != plans.end());
  REQUIRE(nvls->phases.size() == 2);
  CHECK(nvls->phases[1].repeat == 4);
  CHECK(nvls->phases[1].network_seconds_per_byte * nvls->phases[1].repeat == doctest::Approx(2.0 / m / Bn));
  CHECK(nvls->overlapped_phases);
  // A protocol that does not run NVLS (NCCL's LL) is never its protocol, however much faster
  // its steps would make a small message; it still serves the other algorithms.
  hw::ClusterSpec with_ll = racks_of(2);
  with_ll.rack.chip.collectives.protocols.push_back({"ll", 0.2, 0.1e-6, 0});
  with_ll.rack.chip.collectives.protocols.back().unsupported_algorithms = {"in-switch", "in-switch-tree"};
  const fabric::Fabric ll(with_ll);
  collective::Planner r(ll, ll.spec().rack.chip.collectives);
  const auto tiny = r.best(Op::allreduce, collective::first_ranks(ll, 2 * m), 4096, "in-switch-tree");
  REQUIRE(tiny.has_value());
  CHECK(tiny->protocol == "simple");
  CHECK(r.best(Op::allreduce, collective::first_ranks(ll, 2 * m), 4096, "ring")->protocol == "ll");
  // Not with one rank per rack (nothing to reduce in the switch), only all-reduce, and only where
  // the switch reduces.
  collective::Group one_per_rack;
  for (int r = 0; r < 4; ++r) one_per_rack.endpoints.push_back(r * m);
  CHECK_FALSE(p.best(Op::allreduce, one_per_rack, S, "in-switch-tree").has_value());
  CHECK_FALSE(p.best(Op::reducescatter, collective::first_ranks(four, 4 * m), S, "in-switch-tree").has_value());
  const fabric::Fabric plain(test::two_racks(m, B, L, Bn, Lh, Lo));
  collective::Planner q(plain, plain.spec().rack.chip.collectives);
  CHECK_FALSE(q.best(Op::allreduce, collective::first_ranks(plain, 2 * m), S, "in-switch-tree").has_value());
}

TEST_CASE("closed form: NVLS tree in NCCL's chunks pays the pipeline's fill") {
  // As above, with the switch reducing in chunks (NCCL's NVLS: chunks of at most c = 128 KiB over
  // ops = channels x m concurrent operations, each chunk o on the reduction's time). A chunk is
  // reduced in the switch, climbs and descends the tree (2 network stages on two racks) and is
  // multicast: with k = S / ops / c chunks per channel the first fills the 2 + 2 stages, the
  // other k - 1 leave at the overlapped tiers' steady pace.
  const double B = 300e9, L = 0.5e-6, Bn = 50e9, Lh = 1e-6, Lo = 2e-6, Rb = 150e9, Lr = 10e-6, o = 40e-9;
  const int m = 4, F = 8, channels = 2;
  const double ops = channels * m, c_max = 128.0 * 1024;
  hw::ClusterSpec spec = test::two_racks(m, B, L, Bn, Lh, Lo);
  auto& sw = std::get<hw::SwitchSpec>(spec.rack.scale_up);
  sw.in_switch_reduction = true;
  sw.reduction_bandwidth_Bps = Rb;
  sw.reduction_latency_s = Lr;
  sw.reduction_chunk_overhead_s = o;
  sw.reduction_chunk_B = c_max;
  sw.reduction_channels = channels;
  spec.rack.chip.collectives.network_steps_in_flight = F;
  const fabric::Fabric f(spec);
  const double steps = (2 * L + Lr + s) + 2 * (2 * Lh + 2 * Lo + s);
  auto expected = [&](double bytes, double chunk) {
    const double k = std::ceil(bytes / ops / chunk);
    const double intra = bytes * std::max((m + 1.0) / m / (B * e), 1 / Rb + o / chunk), inter = bytes / m / (Bn * e);
    const double steady = std::max(intra, inter) + std::min(intra, inter) / F;
    return lambda + steps + (2 * intra + 2 * inter) / k + (k - 1) / k * steady;
  };
  // 4 MiB: not below 4 x ops x c, so whole 128 KiB chunks, k = 4 per channel.
  CHECK(time_of(f, Op::allreduce, 2 * m, "in-switch-tree", 4.0 * 1024 * 1024) ==
        doctest::Approx(expected(4.0 * 1024 * 1024, c_max)));
  // 256 KiB: below 4 x ops x c (64 KiB chunks) and below ops x 64 KiB (32 KiB chunks): one
  // chunk per channel passes every stage in turn, nothing overlapped.
  CHECK(time_of(f, Op::allreduce, 2 * m, "in-switch-tree", 256.0 * 1024) == doctest::Approx(expected(256.0 * 1024, 32.0 * 1024)));
  // A very long message approaches the overlapped tiers' steady pace (the test above).
  const double big = 64.0 * 1024 * 1024 * 1024;
  const double intra = big * std::max((m + 1.0) / m / (B * e), 1 / Rb + o / c_max), inter = big / m / (Bn * e);
  CHECK(time_of(f, Op::allreduce, 2 * m, "in-switch-tree", big) ==
        doctest::Approx(lambda + steps + std::max(intra, inter) + std::min(intra, inter) / F).epsilon(0.01));
}

TEST_CASE("closed form: multi-ring on a 4x4 torus") {
  // A 4x4 torus (4 links per chip, B per direction) splits into 2 edge-disjoint Hamiltonian
  // cycles, each run both ways: 4 rings, a ring step moving S/16 / 4 over every link direction.
  // One bidirectional ring in snake order moves S/32, twice as much.
  const double B = 100e9, L = 1e-6;
  const fabric::Fabric f(test::torus_cluster({4, 4}, B, L));
  CHECK(time_of(f, Op::allreduce, 16, "multi-ring") == doctest::Approx(lambda + 30 * (S / 64 / (B * e) + L + s)));
  CHECK(time_of(f, Op::reducescatter, 16, "multi-ring") == doctest::Approx(lambda + 15 * (S / 64 / (B * e) + L + s)));
}

TEST_CASE("closed form: multi-ring on a DGX-1 hybrid cube-mesh") {
  // Six NVLinks per GPU (B each way), some pairs doubled: the search finds 3 edge-disjoint
  // Hamiltonian cycles, run both ways: 6 rings, each ring step moving S/8 / 6 over every link
  // unit (a doubled pair carries two rings at 2B). A single ring in rank order instead routes
  // its 3->4 and 7->0 steps over two hops.
  const double B = 25e9, L = 0.2e-6;
  hw::ClusterSpec spec = test::switch_cluster(8);
  hw::ExplicitSpec mesh;
  const int pairs[16][3] = {{0, 1, 1}, {0, 2, 1}, {0, 3, 2}, {0, 4, 2}, {1, 2, 2}, {1, 3, 1}, {1, 5, 2}, {2, 3, 2},
                            {2, 6, 1}, {3, 7, 1}, {4, 5, 1}, {4, 6, 1}, {4, 7, 2}, {5, 6, 2}, {5, 7, 1}, {6, 7, 2}};
  for (const auto& [a, b, links] : pairs)
    mesh.links.push_back({"chip:" + std::to_string(a), "chip:" + std::to_string(b), links * B, L});
  spec.rack.scale_up = mesh;
  const fabric::Fabric f(spec);
  CHECK(time_of(f, Op::allreduce, 8, "multi-ring") == doctest::Approx(lambda + 14 * (S / 48 / (B * e) + L + s)));
  CHECK(time_of(f, Op::allreduce, 8, "multi-ring") < 0.5 * time_of(f, Op::allreduce, 8, "ring"));
}

TEST_CASE("closed form: concurrent sibling groups share the links they both cross") {
  // Two racks of 2 chips, 4 ranks per chip, each chip with its own NIC. A 2-rank ring from core 0
  // of rack 0 to core 0 of rack 1: all-reduce in 2 steps of S/2 over the NIC (Bn), crossing
  // latency 2 Lh + 2 Lo. The same collective run by the chip's other 3 cores at once (offsets
  // 1-3) puts 4x the bytes on that NIC; a sibling on the other chip (offset 4) uses its own NIC.
  const double B = 300e9, L = 0.5e-6, Bn = 50e9, Lh = 1e-6, Lo = 2e-6;
  hw::ClusterSpec spec = test::two_racks(2, B, L, Bn, Lh, Lo);
  spec.rack.chip.ranks_per_chip = 4;
  const fabric::Fabric f(spec);
  collective::Planner p(f, f.spec().rack.chip.collectives);
  auto ring = [&](std::vector<int> concurrent) {
    return p.best(Op::allreduce, collective::Group{{0, 8}, std::move(concurrent)}, S, "ring")->time_s;
  };
  auto closed = [&](double sharing) { return lambda + 2 * (sharing * S / 2 / (Bn * e) + 2 * Lh + 2 * Lo + s); };
  CHECK(ring({}) == doctest::Approx(closed(1)));
  CHECK(ring({4}) == doctest::Approx(closed(1)));
  CHECK(ring({1, 2, 3}) == doctest::Approx(closed(4)));
  CHECK(ring({1, 2, 3, 4, 5, 6, 7}) == doctest::Approx(closed(4)));
}
