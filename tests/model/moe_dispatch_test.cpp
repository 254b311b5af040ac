// MoE dispatch (workload/moe_dispatch.hpp, eval/layer_cost.cpp ep_time, collective/rail_alltoall)
// against closed forms derived in each comment (project issue 12, capability 4).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "collective/select.hpp"
#include "eval/evaluate.hpp"
#include "eval/step_parts.hpp"
#include "workload/layer_work.hpp"
#include "workload/moe_dispatch.hpp"
#include "workload/numerics.hpp"
#include "workload/placement.hpp"
#include "../unit/test_clusters.hpp"
#include "../unit/test_models.hpp"

using namespace rackscope;
using collective::Op;

namespace {
workload::ModelSpec fine_grained() { return test::fine_grained_moe(); }

// A cluster with HBM to spare (these tests time steps, not fit them), its fabric and planner.
struct Rig {
  fabric::Fabric f;
  collective::Planner p;
  explicit Rig(hw::ClusterSpec spec) : f(roomy(std::move(spec))), p(f, f.spec().rack.chip.collectives) {}
  static hw::ClusterSpec roomy(hw::ClusterSpec spec) {
    spec.rack.chip.hbm_capacity_B = 1e15;
    return spec;
  }
  eval::Report step(const workload::ModelSpec& m, const workload::Execution& x) { return eval::evaluate({f, p, compute::Profile{}}, m, x); }
};

workload::Execution ep_tp(int ep, int tp) {
  workload::Execution e;
  e.ep = ep, e.tp = tp, e.dp = ep, e.micro_batch = 1, e.global_batch = ep;
  e.sequence_parallel = tp > 1;
  return e;
}
}  // namespace

TEST_CASE("moe: expected largest of n normal draws against the exact order statistics") {
  // Exact E[max] of n standard normals (Harter 1961 tables): n = 10: 1.53875, n = 100: 2.50759;
  // n = 2: 1/sqrt(pi). Blom's quantile is within 1% from n = 10 on, 5% at n = 2.
  CHECK(workload::expected_max_standard_normal(1) == 0);
  CHECK(workload::expected_max_standard_normal(2) == doctest::Approx(1 / std::sqrt(M_PI)).epsilon(0.05));
  CHECK(workload::expected_max_standard_normal(10) == doctest::Approx(1.53875).epsilon(0.01));
  CHECK(workload::expected_max_standard_normal(100) == doctest::Approx(2.50759).epsilon(0.01));
}

TEST_CASE("moe: dispatch volume and the busiest rank's rows by hand") {
  const workload::ModelSpec m = fine_grained();
  // TP 2, EP 8, one sequence of 4096 tokens per TP group. Each rank routes its sequence-parallel
  // half: 2048 x 6 = 12288 assignments. The EP group's 8 x 4096 x 6 assignments spread over 64
  // experts: 3072 rows per expert on average; 8 local experts per rank.
  const double tokens = 4096;
  const workload::MoeDispatch d = workload::moe_dispatch(m, ep_tp(8, 2), tokens);
  CHECK(d.local_experts == 8);
  CHECK(d.routed == 12288);
  // Balanced routing: the busiest of 64 experts is only the sampling spread above the mean,
  // z(64) sd of a Poisson count of 3072; its rank holds it and 7 experts at the mean.
  const double hot = 1 + workload::expected_max_standard_normal(64) * std::sqrt(1.0 / 3072);
  CHECK(d.busiest_expert == doctest::Approx(hot));
  CHECK(d.busiest_rank_load == doctest::Approx((hot + 7) / 8));
  CHECK(d.rows_per_expert == doctest::Approx(3072 * (hot + 7) / 8));
  CHECK(d.received == doctest::Approx(8 * 3072 * (hot + 7) / 8));
  // The dispatch all-to-all is sized to the busiest receiver: 12288 rows x its load.
  CHECK(d.send_rows == doctest::Approx(12288 * (hot + 7) / 8));
  CHECK(d.kept == 1);  // dropless
  // With the routing's own imbalance 1.5: hot = 1.5 + z sqrt(1.5 / 3072).
  workload::ModelSpec skewed = m;
  skewed.moe.load_imbalance = 1.5;
  const double hot15 = 1.5 + workload::expected_max_standard_normal(64) * std::sqrt(1.5 / 3072);
  CHECK(workload::moe_dispatch(skewed, ep_tp(8, 2), tokens).busiest_rank_load == doctest::Approx((hot15 + 7) / 8));
  // EP = experts: one expert per rank, so its rank waits for it whole.
  CHECK(workload::moe_dispatch(skewed, ep_tp(64, 1), tokens).busiest_rank_load ==
        doctest::Approx(1.5 + workload::expected_max_standard_normal(64) * std::sqrt(1.5 / (4096.0 * 6 * 64 / 64))));
}

TEST_CASE("moe: capacity factor drops what exceeds it, padding runs every expert at capacity") {
  // Busiest expert at 1.5 x the mean, 4 local experts: dropless the rank takes (1.5 + 3) / 4.
  CHECK(workload::busiest_rank_load(1.5, 4, 0, false) == doctest::Approx(1.125));
  // Capacity 1.25: the busiest keeps 1.25 (1/6 of its tokens dropped), the others their mean.
  CHECK(workload::busiest_rank_load(1.5, 4, 1.25, false) == doctest::Approx((1.25 + 3) / 4));
  // Capacity 0.8 < 1 caps every expert: the rank takes 0.8 x its mean.
  CHECK(workload::busiest_rank_load(1.5, 4, 0.8, false) == doctest::Approx(0.8));
  // Padded to capacity: every expert's GEMM runs exactly capacity rows.
  CHECK(workload::busiest_rank_load(1.5, 4, 1.25, true) == doctest::Approx(1.25));
  workload::ModelSpec m = fine_grained();
  m.moe.load_imbalance = 2, m.moe.capacity_factor = 1.25;
  const workload::MoeDispatch d = workload::moe_dispatch(m, ep_tp(8, 1), 4096);
  CHECK(d.kept == doctest::Approx(1.25 / d.busiest_expert));
  CHECK(d.busiest_rank_load == doctest::Approx((1.25 + 7) / 8));
}

TEST_CASE("moe: grouped expert GEMMs at the busiest rank's rows, permutations as memory-bound kernels") {
  workload::ModelSpec m = fine_grained();
  m.moe.load_imbalance = 1.5;
  const workload::Execution e = ep_tp(8, 2);
  const workload::LayerWork w = workload::layer_forward(m, 0, e, 4096, true);
  const workload::MoeDispatch d = workload::moe_dispatch(m, e, 4096);
  // Gate, up and down: one grouped GEMM each of 8 copies, rows_per_expert x 2048 by 2048 x 704.
  int grouped = 0;
  for (const workload::Gemm& g : w.gemms) {
    if (g.copies != 8) continue;
    ++grouped;
    CHECK(g.rows == doctest::Approx(d.rows_per_expert));
    CHECK(std::max(g.in, g.out) == 2048);
    CHECK(std::min(g.in, g.out) == 704);
  }
  CHECK(grouped == 3);
  // Router softmax/top-k/loss sums over 2048 local tokens x 64 experts in fp32 (16 bytes each),
  // then 2 bytes x 2048 hidden per row: permute (read + write 12288 routed rows), un-permute
  // (read 12288, write 2048 tokens), sort and unsort the received chunks (read + write each).
  const double rows = 3 * 12288.0 + 2048 + 4 * d.received;
  CHECK(w.moe_routing.bytes == doctest::Approx(16.0 * 2048 * 64 + 2.0 * 2048 * rows));
  CHECK(w.moe_routing.kernels == 3 + 4);
  CHECK(w.moe_send_rows == doctest::Approx(d.send_rows));
  CHECK(w.moe_gathered_rows == doctest::Approx(d.received));
  // Shared experts run as one MLP of shared x expert_ffn over every token of the TP group.
  m.moe.shared_experts = 2;
  const workload::LayerWork s = workload::layer_forward(m, 0, e, 4096, true);
  const auto shared = std::count_if(s.gemms.begin(), s.gemms.end(), [](const workload::Gemm& g) {
    return g.copies == 1 && g.rows == 4096 && std::min(g.in, g.out) == 2 * 1408 / 2;
  });
  CHECK(shared == 3);
}

TEST_CASE("moe: rail all-to-all on two nodes, and the step's EP time from it") {
  // Two racks of m = 4 chips on a switch (B, hop 2L), a NIC per chip (Bn, host Lh, leaf hop Lo).
  // Rail all-to-all of S over n = 8: first each rank sends to each of its 3 rack-mates R/n = S/4
  // (its pieces for that rail in both racks): 3 S/4 out of its switch link. Then each sends its
  // rail peer in the other rack m/n = S/2 over its NIC. Phases one after another (one step in
  // flight): lambda + (3S/4)/(B e) + 2L + s + (S/2)/(Bn e) + 2Lh + 2Lo + s.
  const double B = 300e9, L = 0.5e-6, Bn = 50e9, Lh = 1e-6, Lo = 2e-6, e = 0.8, s = 2e-6, lambda = 5e-6;
  const double S = 64.0 * 1024 * 1024;
  hw::ClusterSpec spec = test::two_racks(4, B, L, Bn, Lh, Lo);
  // The runtime sends all-to-all across racks through the rail peer, as NCCL with PXN.
  spec.rack.chip.collectives.selection = {{hw::SelectionRow::Scope::cluster, {"alltoall"}, 0, {"rail-alltoall"}, {"simple"}}};
  spec.rack.chip.flops[hw::Precision::bf16] = 1e15;
  spec.rack.chip.hbm_capacity_B = 1e15;
  const fabric::Fabric f(spec);
  collective::Planner p(f, f.spec().rack.chip.collectives);
  const auto rail = p.best(Op::alltoall, collective::first_ranks(f, 8), S);
  REQUIRE(rail.has_value());
  CHECK(rail->algorithm == "rail-alltoall");
  const double a2a = [&](double bytes) {
    return lambda + 0.75 * bytes / (B * e) + 2 * L + s + 0.5 * bytes / (Bn * e) + 2 * Lh + 2 * Lo + s;
  }(S);
  CHECK(rail->time_s == doctest::Approx(a2a));
  // The direct (mesh) all-to-all sends the same S/2 over each NIC in one step: the rail hop
  // costs the rack-local phase, nothing more, on a non-blocking Clos.
  CHECK(p.best(Op::alltoall, collective::first_ranks(f, 8), S, "mesh")->time_s ==
        doctest::Approx(lambda + 0.5 * S / (Bn * e) + 2 * Lh + 2 * Lo + s));
  // A step of the fine-grained MoE with EP 8 over both racks (TP 1, one micro-batch of 4096
  // tokens per rank): every layer's EP time is dispatch + combine forward and backward, 4
  // all-to-alls of send_rows x hidden x 2 bytes.
  const workload::ModelSpec m = fine_grained();
  workload::Execution x = ep_tp(8, 1);
  const eval::Report r = eval::evaluate({f, p, compute::Profile{}}, m, x);
  REQUIRE(r.feasible());
  const workload::MoeDispatch d = workload::moe_dispatch(m, x, 4096);
  const double bytes = d.send_rows * m.hidden * workload::activation_bytes;
  const double per_a2a = p.best(Op::alltoall, collective::first_ranks(f, 8), bytes)->time_s;
  CHECK(r.breakdown[eval::Term::ep_comm] == doctest::Approx(m.layers * 4 * per_a2a));
}

TEST_CASE("moe: with TP, routed experts' rows are gathered by the dispatcher, not the FFN block") {
  // Two chips on a switch, TP 2 with sequence parallelism, EP 1, one sequence of 4096 tokens.
  // The dispatcher gathers the rank's received rows (2048 x 6 each, 24576 rows in all on the
  // busiest rank's share) over TP before the experts and reduce-scatters them after: forward and
  // backward, ep_comm = layers x 2 (ag + rs) of gathered rows x hidden x 2 bytes, no all-to-all.
  // The attention block keeps its own gather and reduction; the FFN block has none without
  // shared experts: with nothing hidden, tp_comm = layers x (ag + rs forward; ag for the output
  // gradient, then ag + rs for the input's gradients) = layers x (3 ag + 2 rs) of 4096 rows.
  Rig rig(test::switch_cluster(2));
  collective::Planner& p = rig.p;
  const workload::ModelSpec m = fine_grained();
  workload::Execution x = ep_tp(1, 2);
  x.dp = 1, x.global_batch = 1, x.overlap_tp_backward = false;
  const eval::Report r = rig.step(m, x);
  REQUIRE(r.feasible());
  const collective::Group tp = collective::first_ranks(rig.f, 2);
  const double row = m.hidden * workload::activation_bytes;
  const workload::MoeDispatch d = workload::moe_dispatch(m, x, 4096);
  auto t = [&](Op op, double bytes) { return p.best(op, tp, bytes)->time_s; };
  CHECK(r.breakdown[eval::Term::ep_comm] ==
        doctest::Approx(m.layers * 2 * (t(Op::allgather, d.received * row) + t(Op::reducescatter, d.received * row))));
  CHECK(r.breakdown[eval::Term::tp_comm] ==
        doctest::Approx(m.layers * (3 * t(Op::allgather, 4096 * row) + 2 * t(Op::reducescatter, 4096 * row))));
  // Shared experts bring the FFN block's gather and reduction back: twice the above.
  workload::ModelSpec shared = m;
  shared.moe.shared_experts = 2;
  CHECK(rig.step(shared, x).breakdown[eval::Term::tp_comm] ==
        doctest::Approx(2 * r.breakdown[eval::Term::tp_comm]));
}

TEST_CASE("moe: activations keep the gathered expert input and the rows coming back to be un-permuted") {
  // Per MoE layer per micro-batch, TP 2 with sequence parallelism, EP 8, no dropout, flash:
  // replicated 8 sbh / t, attention (2(q + 2kv) + 2q) sb / t, the experts' internals 6 f x the
  // busiest rank's received rows / t, and 2 bytes x h x (received + the rank's routed rows).
  const workload::ModelSpec m = fine_grained();
  const workload::Execution e = ep_tp(8, 2);
  const double sb = 4096, h = 2048, f = 1408, q = 16 * 128;
  const workload::MoeDispatch d = workload::moe_dispatch(m, e, sb);
  const double expected = 8 * sb * h / 2 + sb * (2 * (q + 2 * q) + 2 * q) / 2 + 6 * f * d.received / 2 + 2 * h * (d.received + d.routed);
  CHECK(workload::layer_activation_bytes(m, 0, e, 4096, true) == doctest::Approx(expected));
}

TEST_CASE("moe: slices a token's experts land on, group-limited routing, against enumeration") {
  // 8 experts, top 2, in 4 groups of 2, each token picking 2 groups: every pick of 2 of the 4
  // groups, then 2 of their 4 experts, equally likely (6 x 6 outcomes). Count the distinct
  // slices of 8 / n consecutive experts hit, averaged over the 36 outcomes.
  workload::MoeSpec s;
  s.experts = 8, s.top_k = 2, s.route_groups = 4, s.route_group_topk = 2;
  auto enumerate = [&](int slices) {
    double sum = 0;
    int outcomes = 0;
    for (int g1 = 0; g1 < 4; ++g1)
      for (int g2 = g1 + 1; g2 < 4; ++g2) {
        const int eligible[4] = {2 * g1, 2 * g1 + 1, 2 * g2, 2 * g2 + 1};
        for (int a = 0; a < 4; ++a)
          for (int b = a + 1; b < 4; ++b) {
            const int sa = eligible[a] / (8 / slices), sb = eligible[b] / (8 / slices);
            sum += sa == sb ? 1 : 2;
            ++outcomes;
          }
      }
    return sum / outcomes;
  };
  for (int slices : {2, 4, 8}) {
    CAPTURE(slices);
    CHECK(workload::expected_slices_hit(s, slices) == doctest::Approx(enumerate(slices)));
  }
  // Slices of two groups each, by hand: of the 6 group picks, 2 lie inside one slice (1 slice
  // hit); the 4 others take a group in each, and then 4 of the 6 expert pairs straddle both:
  // (2 x 1 + 4 x (2 x 1 + 4 x 2) / 6) / 6 = 13/9.
  CHECK(workload::expected_slices_hit(s, 2) == doctest::Approx(13.0 / 9));
  // Unrestricted routing: n (1 - C(8 - 8/n, 2) / C(8, 2)); 4 slices: 4 (1 - 15/28).
  workload::MoeSpec free = s;
  free.route_groups = free.route_group_topk = 0;
  CHECK(workload::expected_slices_hit(free, 4) == doctest::Approx(4 * (1 - 15.0 / 28)));
  CHECK(workload::expected_slices_hit(free, 1) == 1);
  // Groups that do not nest with the slices (12 experts: 4 groups of 3, 3 slices of 4) count as
  // unrestricted: 3 (1 - C(8, 2) / C(12, 2)).
  workload::MoeSpec odd = s;
  odd.experts = 12;
  CHECK(workload::expected_slices_hit(odd, 3) == doctest::Approx(3 * (1 - 28.0 / 66)));
  // DeepSeek-V3 (256 experts, top 8, 8 groups, 4 picked) on 8 racks: at most the 4 racks picked.
  workload::MoeSpec v3;
  v3.experts = 256, v3.top_k = 8, v3.route_groups = 8, v3.route_group_topk = 4;
  double miss = 1;
  for (int i = 0; i < 8; ++i) miss *= (96.0 - i) / (128 - i);
  CHECK(workload::expected_slices_hit(v3, 8) == doctest::Approx(8 * 0.5 * (1 - miss)));
  CHECK(workload::expected_slices_hit(v3, 8) < 4);
}

TEST_CASE("moe: flex dispatcher sends a token once per rack over the network, once per rank inside") {
  // Two racks of 4 chips (as above), EP 8, TP 1. The fine-grained MoE's 64 experts in 2 route
  // groups, each token picking one: every token goes to exactly one rack (its group's), and to
  // ranks of 8 experts each inside it: 8 x 1/2 x (1 - C(32 - 8, 6) / C(32, 6)) ranks hit. A
  // dispatch of the rank's S = send_rows x hidden x 2 bytes (one copy per token-expert pair) is
  // S / 6 x 1 over the rail {0, 4} (every rank of the rack on its own rail at once) and
  // S / 6 x ranks hit inside the rack, pipelined: the slower sets the time. Forward and backward,
  // dispatch and combine: ep_comm = layers x 4 x max(rail, local).
  hw::ClusterSpec spec = test::two_racks(4, 300e9, 0.5e-6, 50e9, 1e-6, 2e-6);
  spec.rack.chip.flops[hw::Precision::bf16] = 1e15;
  spec.rack.chip.hbm_capacity_B = 1e15;
  const fabric::Fabric f(spec);
  collective::Planner p(f, f.spec().rack.chip.collectives);
  workload::ModelSpec m = fine_grained();
  m.moe.route_groups = 2, m.moe.route_group_topk = 1;
  workload::Execution x = ep_tp(8, 1);
  x.moe_dispatcher = workload::MoeDispatcher::flex;
  const eval::Report r = eval::evaluate({f, p, compute::Profile{}}, m, x);
  REQUIRE(r.feasible());
  const workload::PlacementShapes place = workload::place_shapes(x, 4);
  REQUIRE(place.ep_racks == 2);
  const double S = workload::moe_dispatch(m, x, 4096).send_rows * m.hidden * workload::activation_bytes;
  double miss = 1;
  for (int i = 0; i < 6; ++i) miss *= (24.0 - i) / (32 - i);
  const double ranks_hit = 8 * 0.5 * (1 - miss);
  CHECK(workload::expected_slices_hit(m.moe, 2) == doctest::Approx(1));
  CHECK(workload::expected_slices_hit(m.moe, 8) == doctest::Approx(ranks_hit));
  const collective::Group rail = collective::materialize(place.ep_rail), local = collective::materialize(place.ep_local);
  CHECK(rail.endpoints == std::vector<int>{0, 4});
  CHECK(local.endpoints == std::vector<int>{0, 1, 2, 3});
  const double t_rail = p.best(Op::alltoall, rail, S / 6)->time_s, t_local = p.best(Op::alltoall, local, S / 6 * ranks_hit)->time_s;
  CHECK(r.breakdown[eval::Term::ep_comm] == doctest::Approx(m.layers * 4 * std::max(t_rail, t_local)));
  // Against the all-to-all dispatcher on the same step: 6 copies of each token, half of them
  // (on average) to the other rack, where the flex one sends one copy of half the tokens.
  workload::Execution plain = x;
  plain.moe_dispatcher = workload::MoeDispatcher::alltoall;
  CHECK(eval::evaluate({f, p, compute::Profile{}}, m, plain).breakdown[eval::Term::ep_comm] > 2 * r.breakdown[eval::Term::ep_comm]);
}

TEST_CASE("moe: expert TP 1 folds EP over the TP ranks: no expert gather, whole expert GEMMs") {
  // TP 2 with sequence parallelism, DP 4 over 8 chips of one switch, EP 8 with etp 1: the EP group
  // is all 8 ranks, each routing its 2048 sequence-parallel tokens x 6. Rows per expert: 8 ranks
  // x 12288 / 64 experts = 1536 on average (the same as EP 4 over TP 2 groups would see gathered
  // with etp 2: 4 x 4096 x 6 / 64). The experts' GEMMs are whole (1408 wide, not 704), nothing is
  // gathered over expert TP, and the experts' states are 1/8 per rank, replicated 8 / 8 = once.
  Rig rig(test::switch_cluster(8));
  const workload::ModelSpec m = fine_grained();
  workload::Execution x = ep_tp(8, 2);
  x.dp = 4, x.global_batch = 4, x.etp = 1;
  const workload::MoeDispatch d = workload::moe_dispatch(m, x, 4096);
  CHECK(d.routed == 12288);
  const double hot = 1 + workload::expected_max_standard_normal(64) * std::sqrt(1.0 / 1536);
  CHECK(d.rows_per_expert == doctest::Approx(1536 * (hot + 7) / 8));
  const workload::LayerWork w = workload::layer_forward(m, 0, x, 4096, true);
  const auto whole = std::count_if(w.gemms.begin(), w.gemms.end(), [&](const workload::Gemm& g) {
    return g.copies == 8 && std::max(g.in, g.out) == 2048 && std::min(g.in, g.out) == 1408;
  });
  CHECK(whole == 3);
  const eval::Report r = rig.step(m, x);
  REQUIRE(r.feasible());
  // ep_comm: only the all-to-all over the 8 ranks, 4 per layer.
  const double S = d.send_rows * m.hidden * workload::activation_bytes;
  CHECK(r.breakdown[eval::Term::ep_comm] ==
        doctest::Approx(m.layers * 4 * rig.p.best(Op::alltoall, collective::first_ranks(rig.f, 8), S)->time_s));
  // The fold needs etp x ep to tile a stage's tp x cp x dp ranks: EP 16 over 8 does not.
  workload::Execution big = x;
  big.ep = 16;
  CHECK(rig.step(m, big).reason == workload::Infeasibility::ep_dp);
}

TEST_CASE("moe: overlap_ep hides the all-to-alls behind the other micro-batch's blocks in the steady 1F1B phase") {
  // Megatron-Core's warm-up: pp - 1 forwards alone (interleaved 2 (pp - 1) + (vpp - 1) pp), one
  // without a pipeline; the rest of the micro_batches x vpp passes run paired.
  workload::Execution e;
  CHECK(eval::steady_1f1b_share(e, 8) == doctest::Approx(7.0 / 8));
  e.pp = 4;
  CHECK(eval::steady_1f1b_share(e, 8) == doctest::Approx(5.0 / 8));
  e.vpp = 2;
  CHECK(eval::steady_1f1b_share(e, 8) == doctest::Approx((16 - 10) / 16.0));
  CHECK(eval::steady_1f1b_share(e, 4) == 0);  // all warm-up
  // EP 8 on one switch, TP 1, 4 micro-batches per rank, compute slow enough (10 TFLOP/s) that
  // every block outlasts an all-to-all, and a runtime whose collectives take no compute: each
  // paired transfer hides whole. Only the first micro-batch's forward and the last one's
  // backward run alone, a quarter of the passes: ep_comm = layers x 4 a2a x (1 - 3/4).
  hw::ClusterSpec spec = test::switch_cluster(8);
  spec.rack.chip.flops[hw::Precision::bf16] = 1e13;
  spec.rack.chip.collectives.overlap_compute_share = 0;
  Rig rig(spec);
  const workload::ModelSpec m = fine_grained();
  workload::Execution x = ep_tp(8, 1);
  x.global_batch = 32;
  const double S = workload::moe_dispatch(m, x, 4096).send_rows * m.hidden * workload::activation_bytes;
  const double a2a = rig.p.best(Op::alltoall, collective::first_ranks(rig.f, 8), S)->time_s;
  const eval::Report plain = rig.step(m, x);
  REQUIRE(plain.feasible());
  CHECK(plain.breakdown[eval::Term::ep_comm] == doctest::Approx(m.layers * 4 * a2a * 4));
  x.overlap_ep = true;
  CHECK(rig.step(m, x).breakdown[eval::Term::ep_comm] == doctest::Approx(m.layers * 4 * a2a * 4 * 0.25));
  // A runtime whose transfers take a fifth of the compute they run beside: that much of each
  // paired transfer shows (exposed_behind), 4 x 0.2 a2a in the steady share.
  spec.rack.chip.collectives.overlap_compute_share = 0.2;
  Rig shared(spec);
  CHECK(shared.step(m, x).breakdown[eval::Term::ep_comm] == doctest::Approx(m.layers * 4 * a2a * 4 * (0.25 + 0.75 * 0.2)));
}
