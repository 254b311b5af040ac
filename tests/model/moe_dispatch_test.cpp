// MoE dispatch (workload/moe_dispatch.hpp, eval/layer_cost.cpp ep_time, collective/rail_alltoall)
// against closed forms derived in each comment (project issue 12, capability 4).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "collective/select.hpp"
#include "eval/evaluate.hpp"
#include "workload/layer_work.hpp"
#include "workload/moe_dispatch.hpp"
#include "workload/numerics.hpp"
#include "../unit/test_clusters.hpp"

using namespace rackscope;
using collective::Op;

namespace {
// A fine-grained MoE (DeepSeek-V2-Lite's expert shape): every layer routes to 64 experts of FFN
// 1408, top-6, hidden 2048; standard attention, no shared experts unless a test adds them.
workload::ModelSpec fine_grained() {
  workload::ModelSpec m;
  m.name = "fine-grained";
  m.layers = 2, m.hidden = 2048, m.ffn = 10944, m.heads = 16, m.kv_heads = 16, m.head_dim = 128, m.vocab = 32000, m.seq = 4096;
  m.activation = workload::Activation::swiglu;
  m.norm = workload::Norm::rmsnorm;
  m.moe.experts = 64, m.moe.top_k = 6, m.moe.expert_ffn = 1408;
  return m;
}

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
  hw::ClusterSpec spec = test::switch_cluster(2);
  spec.rack.chip.hbm_capacity_B = 1e15;
  const fabric::Fabric f(spec);
  collective::Planner p(f, f.spec().rack.chip.collectives);
  const workload::ModelSpec m = fine_grained();
  workload::Execution x = ep_tp(1, 2);
  x.dp = 1, x.global_batch = 1, x.overlap_tp_backward = false;
  const eval::Report r = eval::evaluate({f, p, compute::Profile{}}, m, x);
  REQUIRE(r.feasible());
  const collective::Group tp = collective::first_ranks(f, 2);
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
  CHECK(eval::evaluate({f, p, compute::Profile{}}, shared, x).breakdown[eval::Term::tp_comm] ==
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
