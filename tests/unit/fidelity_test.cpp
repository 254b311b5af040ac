// Closed forms of the precision recipe, pipeline layouts, DP bucket overlap and collective-matmul
// TP overlap (project issue 12), each derived by hand in its comment.
#include <doctest/doctest.h>

#include <algorithm>
#include <utility>

#include "eval/evaluate.hpp"
#include "eval/step_parts.hpp"
#include "io/model_reader.hpp"
#include "test_clusters.hpp"
#include "workload/layer_work.hpp"
#include "workload/memory.hpp"
#include "workload/pipeline_layout.hpp"

using namespace rackscope;
using workload::Precision;

namespace {
workload::ModelSpec llama8b() {
  io::InputFiles files;
  return io::read_model(std::string(RACKSCOPE_SOURCE_DIR) + "/workloads/models/llama-3.1-8b.toml", {}, files);
}

// One ideal chip per rank (efficiency 1, no overheads, HBM so fast memory-bound work is free)
// with a bf16 and an fp8 rate, on a switch of `chips`.
hw::ClusterSpec ideal(int chips) {
  hw::ClusterSpec spec = test::switch_cluster(chips);
  spec.rack.chip.flops[Precision::bf16] = 1e15;
  spec.rack.chip.flops[Precision::fp8] = 2e15;
  spec.rack.chip.hbm_bandwidth_Bps = 1e30;
  spec.rack.chip.hbm_capacity_B = 1e15;
  return spec;
}

// A cluster, its collective planner and a compute profile (default: kernels at peak, no
// overheads): what each case evaluates its executions on.
struct System {
  const fabric::Fabric fabric;
  collective::Planner planner;
  const compute::Profile profile;
  explicit System(const hw::ClusterSpec& spec, compute::Profile p = {})
      : fabric(spec), planner(fabric, fabric.spec().rack.chip.collectives), profile(std::move(p)) {}
  System(const System&) = delete;  // the planner holds the fabric
  eval::Report run(const workload::ModelSpec& m, const workload::Execution& e) { return eval::evaluate({fabric, planner, profile}, m, e); }
};
}  // namespace

TEST_CASE("precision recipe: bytes per parameter of each recipe, by hand") {
  auto bytes = [](auto set) {
    workload::Execution e;
    set(e);
    const auto b = workload::state_bytes(e);
    return std::vector<double>{b.weights, b.gradients, b.optimizer, b.optimizer_step_traffic()};
  };
  // bf16 weights, fp32 gradients, fp32 master + m + v: 2 + 4 + 12. The step reads the gradients for
  // their norm (4), Adam reads master, m, v and the gradient and writes master, m, v (12 + 4 + 12),
  // the copy back reads the master and writes the weight (4 + 2): 38.
  CHECK(bytes([](auto&) {}) == std::vector<double>{2, 4, 12, 38});
  // Gradients reduced in bf16 (--grad-reduce-in-bf16): 2 + 2 + 12; traffic 2 + (12 + 2 + 12) + 6.
  CHECK(bytes([](auto& e) { e.grad_reduce = Precision::bf16; }) == std::vector<double>{2, 2, 12, 34});
  // NeuronX BF16 with stochastic rounding: bf16 m and v, no master, the bf16 weights updated in
  // place: 2 + 2 + 4 = 8; traffic: the norm reads g (2), Adam reads w, m, v, g (2+4+2) and writes
  // w, m, v (2+4), no copy: 16.
  CHECK(bytes([](auto& e) { e.grad_reduce = e.optimizer_states = Precision::bf16; }) == std::vector<double>{2, 2, 4, 16});
  // FP8 parameters: 1-byte weights, fp32 master + m + v, fp32 gradients: 1 + 4 + 12; traffic 38 - 1.
  CHECK(bytes([](auto& e) { e.precision = Precision::fp8, e.fp8_params = true; }) == std::vector<double>{1, 4, 12, 37});
  // FP8 parameters with bf16 states: the 1-byte weights cannot be the master, a bf16 one is kept:
  // 1 + 4 + (2 + 2 + 2) = 11.
  // Its step: norm 4, Adam 2 x 6 + 4, the bf16 master copied to the 1-byte weights 2 + 1: 23.
  CHECK(bytes([](auto& e) { e.precision = Precision::fp8, e.fp8_params = true, e.optimizer_states = Precision::bf16; }) ==
        std::vector<double>{1, 4, 6, 23});
  // FP8 GEMMs without fp8_params keep bf16 weights: 18 bytes as bf16 training.
  CHECK(bytes([](auto& e) { e.precision = Precision::fp8; }) == std::vector<double>{2, 4, 12, 38});
  // MXFP8 weights carry one 8-bit scale per 32 elements.
  CHECK(bytes([](auto& e) { e.precision = Precision::mxfp8, e.fp8_params = true; })[0] == doctest::Approx(1 + 1.0 / 32));

  // Memory follows the recipe, ZeRO-1 (the distributed optimizer) sharding the master with m, v.
  const auto m = llama8b();
  workload::Execution e;
  e.dp = 8, e.zero = 1, e.grad_reduce = Precision::bf16;
  const auto u = workload::memory_per_rank(m, e, 4096, true, 1, workload::state_bytes(e));
  CHECK(u.weights_B == doctest::Approx(2 * u.params));
  CHECK(u.gradients_B == doctest::Approx(2 * u.params));
  CHECK(u.optimizer_B == doctest::Approx(12 * u.params / 8));
}

TEST_CASE("precision recipe: fp8 GEMMs, bf16 attention core and head, fp8 casts, on one ideal chip") {
  System sys(ideal(1));
  const auto m = llama8b();
  workload::Execution e;
  e.global_batch = 1, e.precision = Precision::fp8;
  double gemm = 0, attention = 0;
  for (int l = 0; l < m.layers; ++l) {
    const auto w = workload::layer_forward(m, l, e, m.seq, true);
    gemm += w.matmul.flops;
    attention += w.attention.flops;
    // One quantization per GEMM forward, reading its bf16 input and writing it in fp8 row-wise and
    // column-wise (2 + 1 + 1 bytes per input element); one per GEMM backward, the same over its
    // output gradient.
    double cast = 0, cast_back = 0;
    for (const auto& g : w.gemms) cast += 4 * g.copies * g.rows * g.in, cast_back += 4 * g.copies * g.rows * g.out;
    CHECK(w.casts.kernels == static_cast<int>(w.gemms.size()));
    CHECK(w.casts.bytes == doctest::Approx(cast));
    CHECK(w.cast_backward.kernels == static_cast<int>(w.gemms.size()));
    CHECK(w.cast_backward.bytes == doctest::Approx(cast_back));
  }
  const double head = workload::head_forward(m, e, m.seq).matmul.flops;
  // GEMMs forward + 2 backward at the fp8 rate; flash attention 1 + 2.5 at bf16; the head in bf16.
  const auto r = sys.run(m, e);
  REQUIRE(r.feasible());
  CHECK(r.step_time_s == doctest::Approx(3 * gemm / 2e15 + 3.5 * attention / 1e15 + 3 * head / 1e15).epsilon(1e-9));
  e.fp8_attention = true;  // TE's fp8_dpa: the attention core at the fp8 rate too
  CHECK(sys.run(m, e).step_time_s ==
        doctest::Approx(3 * gemm / 2e15 + 3.5 * attention / 2e15 + 3 * head / 1e15).epsilon(1e-9));
  // Current scaling: an amax pass reads each quantized tensor once more first, 6 bytes per element
  // in two kernels; only per-tensor fp8 has it.
  {
    workload::Execution cs = e;
    cs.fp8_current_scaling = true;
    const auto w = workload::layer_forward(m, 0, e, m.seq, true), c = workload::layer_forward(m, 0, cs, m.seq, true);
    CHECK(c.casts.bytes == doctest::Approx(1.5 * w.casts.bytes));
    CHECK(c.cast_backward.bytes == doctest::Approx(1.5 * w.cast_backward.bytes));
    CHECK(c.casts.kernels == 2 * w.casts.kernels);
    cs.precision = Precision::bf16;
    CHECK(sys.run(m, cs).reason == workload::Infeasibility::precision_unsupported);
  }
  // fp8_params without an 8-bit GEMM format is refused with a reason.
  workload::Execution b;
  b.global_batch = 1, b.fp8_params = true;
  CHECK(sys.run(m, b).reason == workload::Infeasibility::precision_unsupported);
}

TEST_CASE("precision recipe: fp8 GEMMs keep their inputs in fp8 for the backward, by hand") {
  // Llama 3.1 8B (h 4096, q 4096, kv 1024, SwiGLU f 14336), micro-batch 1, s 8192, no TP, flash,
  // per element of s x h: 16-bit, the norms' inputs and outputs 4 x 2, Q K V 2 x (4096 + 2048) / h,
  // the context 2 q / h, FC1's output 4 f / h and FC2's input 2 f / h; fp8 (TE saves the quantized
  // GEMM inputs): the norms' outputs at 1 byte, the context kept twice (2 + 1), FC2's input at 1.
  const auto m = llama8b();
  workload::Execution e;
  const double sbh = 8192.0 * 4096, h = 4096, q = 4096, kv = 1024, f = 14336;
  const double bf16 = sbh * (8 + 2 * (q + 2 * kv) / h + 2 * q / h + 6 * f / h);
  CHECK(workload::layer_activation_bytes(m, 0, e, 8192, true) == doctest::Approx(bf16));
  e.precision = Precision::fp8;
  const double fp8 = sbh * (6 + 2 * (q + 2 * kv) / h + 3 * q / h + 5 * f / h);
  CHECK(workload::layer_activation_bytes(m, 0, e, 8192, true) == doctest::Approx(fp8));
  e.recompute = workload::Recompute::full;  // the layer input alone, in 16 bits either way
  CHECK(workload::layer_activation_bytes(m, 0, e, 8192, true) == doctest::Approx(2 * sbh));
}

TEST_CASE("pipeline layouts: uneven first/last stages, embedding and loss stages, vpp not dividing") {
  const auto m = llama8b();  // 32 layers
  workload::Execution e;
  e.pp = 4;
  e.first_stage_layers = 6, e.last_stage_layers = 6;  // the middle two share 20
  CHECK(workload::pipeline_layout(m, e).layers == std::vector<int>{6, 10, 10, 6});
  e.first_stage_layers = e.last_stage_layers = 0;
  e.embedding_stage = e.loss_stage = true;  // 34 slots over 4 stages: 9 9 8 8, less embedding and loss
  CHECK(workload::pipeline_layout(m, e).layers == std::vector<int>{8, 9, 8, 7});
  CHECK(workload::stage_layers(m, e, 3) == std::pair{25, 32});
  e.embedding_stage = e.loss_stage = false;
  e.first_stage_layers = 30;  // 2 layers left for three stages
  CHECK_FALSE(workload::pipeline_layout(m, e).problem.empty());
  // vpp 3 on 8 layers per stage: chunks of 3, 3 and 2 layers are accepted.
  workload::Execution v;
  v.pp = 4, v.vpp = 3, v.dp = 1, v.global_batch = 4;
  CHECK(eval::check_structure(m, v, 4, m.seq, test::simple_chip()).feasible());
  // 32 layers with the embedding and the loss are 34 slots: pp 2 x vpp 17 = 34 chunks run (the
  // first chunk holds the embedding alone, the last the loss alone, as Megatron-Core allows);
  // without them, or with one chunk more, they are refused.
  workload::Execution s;
  s.pp = 2, s.vpp = 17, s.dp = 1, s.global_batch = 2, s.embedding_stage = s.loss_stage = true;
  CHECK(workload::pipeline_layout(m, s).layers == std::vector<int>{16, 16});
  CHECK(eval::check_structure(m, s, 2, m.seq, test::simple_chip()).feasible());
  s.vpp = 18, s.global_batch = 2;
  CHECK(eval::check_structure(m, s, 2, m.seq, test::simple_chip()).reason == workload::Infeasibility::pp_layers);
  s.vpp = 17, s.embedding_stage = s.loss_stage = false;
  CHECK(eval::check_structure(m, s, 2, m.seq, test::simple_chip()).reason == workload::Infeasibility::pp_layers);
  // vpp > 1 with pp = 1 is refused, not run again as the same configuration.
  v.pp = 1, v.vpp = 2;
  CHECK(eval::check_structure(m, v, 1, m.seq, test::simple_chip()).reason == workload::Infeasibility::vpp_without_pp);
}

TEST_CASE("interleaved pipeline memory: each stage keeps Megatron-Core's warm-up of model chunks, by hand") {
  // Rank r of an interleaved pipeline runs 2 (pp - r - 1) + (vpp - 1) pp model-chunk forwards
  // before its first backward, then one more (get_pp_rank_microbatches), a chunk being a vpp-th of
  // the stage's layers. pp 4, vpp 2, 32 layers laid 2 | 14 | 14 | 2 (the embedding and the head
  // on the short stages): ranks 1 and 2 keep 9 and 7 chunks, 4.5 x 14 and 3.5 x 14 layers'
  // activations, and rank 1 needs most (plain 1F1B would count 3 x 14 there).
  const auto m = llama8b();
  workload::Execution e;
  e.pp = 4, e.vpp = 2, e.dp = 1, e.tp = 1, e.first_stage_layers = e.last_stage_layers = 2, e.global_batch = 8;
  const int seq = 4096;
  const double layer = workload::layer_activation_bytes(m, 5, e, seq, true);
  const auto u = workload::memory_per_rank(m, e, seq, true, 8, workload::state_bytes(e));
  CHECK(u.activations_B == doctest::Approx(4.5 * 14 * layer));
  // Fewer micro-batches than the warm-up wants: ranks 1 and 2 hold all 2 x vpp chunk forwards.
  const auto few = workload::memory_per_rank(m, e, seq, true, 2, workload::state_bytes(e));
  CHECK(few.activations_B == doctest::Approx(2.0 * 14 * layer));
  // Without interleaving, 1F1B: pp - r micro-batches, rank 1's 3 x 14.
  e.vpp = 1;
  CHECK(workload::memory_per_rank(m, e, seq, true, 8, workload::state_bytes(e)).activations_B == doctest::Approx(3.0 * 14 * layer));
}

TEST_CASE("pipeline bubble: each stage from its own layers, on ideal chips") {
  // Stages of 6, 10, 10 and 6 layers taking t = n tau per micro-batch (+ the head on the last):
  // a step of (m - 1) t_max + Σ t_i, so a bubble of Σ t_i - t_max beyond m t_max. Interleaved
  // (vpp 2), each other stage adds its largest chunk: 3 tau + 5 tau + (6 tau + head) / 2.
  System sys(ideal(4));
  const auto m = llama8b();
  workload::Execution e;
  e.pp = 4, e.global_batch = 8, e.first_stage_layers = 6, e.last_stage_layers = 6;
  const auto w = workload::layer_forward(m, 0, e, m.seq, true);
  const double tau = (3 * w.matmul.flops + 3.5 * w.attention.flops) / 1e15;
  const double head = 3 * workload::head_forward(m, e, m.seq).matmul.flops / 1e15;
  for (int vpp : {1, 2}) {
    e.vpp = vpp;
    const auto r = sys.run(m, e);
    REQUIRE(r.feasible());
    const double send = r.breakdown[eval::Term::pp_comm] / r.micro_batches;  // per micro-batch
    const double fill = vpp == 1 ? 6 * tau + 10 * tau + 6 * tau + head : 3 * tau + 5 * tau + (6 * tau + head) / 2;
    CHECK(r.breakdown[eval::Term::compute] == doctest::Approx(8 * 10 * tau).epsilon(1e-9));
    CHECK(r.breakdown[eval::Term::pp_bubble] == doctest::Approx(fill + 3.0 / vpp * send).epsilon(1e-9));
  }
}

TEST_CASE("DP buckets: exposed time of gradients reduced as buckets fill, by hand") {
  // n buckets of C/n seconds, bucket k ready at k W / n, reduced one at a time. Simulated here step
  // by step; the closed form max(W/n + C, W + C/n) - W must agree.
  for (double C : {0.5, 4.0, 10.0, 30.0})
    for (int n : {1, 3, 4, 16}) {
      const double W = 8;
      double finish = 0;
      for (int k = 1; k <= n; ++k) finish = std::max(finish, k * W / n) + C / n;
      CHECK(eval::bucketed_exposed(C, W, n, 0) == doctest::Approx(finish - W));
    }
  CHECK(eval::bucketed_exposed(10, 8, 4, 0) == doctest::Approx(4));  // W/n + C - W = 2 + 10 - 8
  CHECK(eval::bucketed_exposed(4, 8, 4, 0) == doctest::Approx(1));   // one bucket after the window
  CHECK(eval::bucketed_exposed(4, 8, 4, 0.5) == doctest::Approx(2)); // the compute it slows
  // Megatron-LM's default bucket, max(40M, 1M x dp) parameters, or the one given.
  workload::Execution e;
  e.dp = 8;
  CHECK(eval::dp_buckets(e, 100e6) == 3);
  e.dp = 64;
  CHECK(eval::dp_buckets(e, 100e6) == 2);
  e.dp_bucket_params = 10000000;
  CHECK(eval::dp_buckets(e, 100e6) == 10);
}

TEST_CASE("TP overlap: collective matmul hides each collective behind its own GEMM, only inside the scale-up domain") {
  // Sequence parallel, share 0: forward AG behind the input GEMM, RS behind the output GEMM;
  // backward AG behind the output GEMM, AG and RS behind the input GEMM; per block.
  workload::Execution e;
  e.sequence_parallel = true;
  eval::LayerTimes t;
  t.attention_input_gemm = 3, t.attention_output_gemm = 1, t.ffn_input_gemm = 4, t.ffn_output_gemm = 4;
  const double ag = 2, rs = 2;
  // attention: fwd (0 + 1), bwd (1 + 0 + 0); ffn: fwd (0 + 0), bwd (0 + 0 + 0)
  CHECK(eval::tp_collective_matmul(e, t, 0, ag, rs, 0) == doctest::Approx(2));
  e.recompute = workload::Recompute::full;  // the forward again
  CHECK(eval::tp_collective_matmul(e, t, 0, ag, rs, 0) == doctest::Approx(3));

  // A TP group across two racks runs over the NICs: overlap_tp changes nothing; inside one rack
  // it hides some of the TP traffic.
  const auto m = llama8b();
  auto tp_comm = [&](const hw::ClusterSpec& spec, bool overlap) {
    System sys(spec);
    workload::Execution x;
    x.tp = 8, x.global_batch = 1, x.sequence_parallel = true, x.overlap_tp = overlap;
    const auto r = sys.run(m, x);
    REQUIRE(r.feasible());
    return r.breakdown[eval::Term::tp_comm];
  };
  hw::ClusterSpec two = test::two_racks(4, 300e9, 0.7e-6, 50e9, 2e-6, 1e-6);
  two.rack.chip.hbm_capacity_B = 1e15;
  CHECK(tp_comm(two, true) == tp_comm(two, false));
  hw::ClusterSpec one = test::switch_cluster(8);
  one.rack.chip.hbm_capacity_B = 1e15;
  CHECK(tp_comm(one, true) < tp_comm(one, false));
}

TEST_CASE("TP overlap: collective matmul runs its GEMMs in chunks of rows as TE's userbuffers do, by hand") {
  // GEMMs at peak with 1 ms of fixed cost each on an ideal chip: a GEMM cut in n chunks costs n - 1
  // ms more. TP 4: QKV and FC1 forward in 4 ring-exchange chunks, the projection and FC2 forward
  // in the 4 chunks of the pipelined reduce-scatter, and their data gradients in 4 ring-exchange
  // chunks: (gathered-input GEMMs x 3) ms more forward and (reduced-output GEMMs x 3) ms more
  // backward and forward each. Without chunks nothing changes.
  const auto m = llama8b();
  workload::Execution e;
  e.tp = 4, e.sequence_parallel = true;
  const auto w = workload::layer_forward(m, 0, e, m.seq, true);
  int gathered = 0, reduced = 0;
  for (const auto& g : w.gemms) {
    gathered += g.reads == workload::Gemm::Input::attention || g.reads == workload::Gemm::Input::ffn;
    reduced += g.reads == workload::Gemm::Input::context || g.reads == workload::Gemm::Input::ffn_inner;
  }
  REQUIRE(gathered == 3);  // QKV, the gate and the up projection
  REQUIRE(reduced == 2);
  compute::Profile p;
  p.matmul_overhead_s = 1e-3;
  const compute::RankRates r{1e15, 1e30, 1e15};
  const eval::LayerTimes whole = eval::layer_times(w, p, r, workload::Recompute::none, 0);
  const eval::LayerTimes cut = eval::layer_times(w, p, r, workload::Recompute::none, 0, eval::GemmChunks{4, 4});
  CHECK(cut.fwd - whole.fwd == doctest::Approx((gathered + reduced) * 3e-3));
  CHECK(cut.bwd - whole.bwd == doctest::Approx(reduced * 3e-3));
  CHECK(cut.attention_input_gemm - whole.attention_input_gemm == doctest::Approx(3e-3));
}

TEST_CASE("launch-bound: eager passes take at least their kernels' dispatch; graph capture removes it") {
  // Host dispatch of 1 s per kernel dwarfs the ideal chip's device time: each layer's forward
  // takes (GEMMs + attention + elementwise kernels) s, its backward its autograd kernels
  // (LayerWork::backward_kernels) s, the head 1 GEMM + 3 loss kernels forward and 2 + 3 backward.
  compute::Profile host;
  host.host_per_kernel_s = 1;
  System sys(ideal(1), host), no_host(ideal(1));
  const auto m = llama8b();
  workload::Execution e;
  e.global_batch = 1;
  double kernels = 0;
  for (int l = 0; l < m.layers; ++l) {
    const auto w = workload::layer_forward(m, l, e, m.seq, true);
    kernels += static_cast<double>(w.gemms.size()) + w.attention.kernels + w.elementwise.kernels + w.backward_kernels;
  }
  const auto r = sys.run(m, e);
  REQUIRE(r.feasible());
  CHECK(r.breakdown[eval::Term::compute] == doctest::Approx(kernels + 4 + 5));
  // Captured, the device time (the FLOPs at peak) alone, as with no host cost at all.
  e.graph_capture = true;
  CHECK(sys.run(m, e).breakdown[eval::Term::compute] == no_host.run(m, e).breakdown[eval::Term::compute]);
  CHECK(no_host.run(m, e).breakdown[eval::Term::compute] < 1);
}

TEST_CASE("gradient accumulation unfused: a read-modify-write of every weight's main gradient per micro-batch, by hand") {
  // Llama 3.1 8B on one rank: per layer the QKV (4096 x 6144), output (4096 x 4096) and three FFN
  // (4096 x 14336) weights, 4096 x 53,248 = 218,103,808; the output head 4096 x 128,256 =
  // 525,336,576; 32 layers: 7,504,658,432 weights. Unfused, each micro-batch reads each one's
  // 16-bit gradient and reads and writes its main gradient: 2 + 2 x 4 bytes (fp32 main
  // gradients), 2 + 2 x 2 (bf16). At 1 TB/s of HBM, 2 micro-batches add those bytes x 2 / 1e12 s,
  // and nothing else changes (the chip's FLOP/s are unbounded).
  hw::ClusterSpec spec = ideal(1);
  spec.rack.chip.flops[Precision::bf16] = 1e30;
  spec.rack.chip.hbm_bandwidth_Bps = 1e12;
  System sys(spec);
  const auto m = llama8b();
  workload::Execution e;
  e.global_batch = 2;
  auto compute = [&](bool fused, Precision grads) {
    e.grad_accumulation_fusion = fused;
    e.grad_reduce = grads;
    const auto r = sys.run(m, e);
    REQUIRE(r.feasible());
    return r.breakdown[eval::Term::compute];
  };
  const double weights = 7504658432.0;
  CHECK(compute(false, Precision::fp32) - compute(true, Precision::fp32) == doctest::Approx(2 * weights * 10 / 1e12));
  CHECK(compute(false, Precision::bf16) - compute(true, Precision::bf16) == doctest::Approx(2 * weights * 6 / 1e12));
  // One main_grad.add_ per weight in the backward's kernel count: 5 per layer, 1 for the head.
  e.grad_accumulation_fusion = true;
  const int fused_kernels = workload::layer_forward(m, 0, e, m.seq, true).backward_kernels;
  e.grad_accumulation_fusion = false;
  CHECK(workload::layer_forward(m, 0, e, m.seq, true).backward_kernels == fused_kernels + 5);
  CHECK(workload::head_forward(m, e, m.seq).backward_kernels == 2 + 2 + 1);  // the GEMM's, the fused loss's, the add
}

namespace {
// Two racks of 4 ideal chips (1 PFLOP/s, memory-bound work free), each chip's pipeline peer in the
// other rack behind its own NIC of 1 MB/s, every switch so fast and every latency and launch cost
// 0 that only the pipeline sends take time.
hw::ClusterSpec slow_pipeline_link() {
  hw::ClusterSpec spec = test::two_racks(4, 1e18, 0, 1e6, 0, 0);
  spec.rack.chip.flops[Precision::bf16] = 1e15;
  spec.rack.chip.hbm_bandwidth_Bps = 1e30;
  spec.rack.chip.hbm_capacity_B = 1e15;
  spec.rack.chip.collectives.launch_overhead_s = 0;
  spec.rack.chip.collectives.protocols = {{"simple", 1.0, 0, 0}};
  return spec;
}
}  // namespace

TEST_CASE("pipeline sends: without sequence parallelism each TP rank sends 1/tp and TP gathers it (scatter/gather), by hand") {
  // Two racks of 4 chips, TP 4 inside a rack, PP 2 across: each TP rank's pipeline peer is in the
  // other rack, behind its own NIC of 1 MB/s; the racks' switches are so fast (and every latency
  // and launch cost 0) that the TP all-gather costs nothing. The activation of a micro-batch is
  // seq x hidden x 2 bytes; forward and backward cross the boundary once each per micro-batch:
  // pp_comm = micro-batches x 2 x (bytes / tp) / 1 MB/s with scatter/gather, x tp without.
  System sys(slow_pipeline_link());
  const auto m = llama8b();
  workload::Execution e;
  e.tp = 4, e.pp = 2, e.global_batch = 2;
  auto pp_comm = [&](bool sp, bool scatter) {
    e.sequence_parallel = sp, e.pp_scatter_gather = scatter;
    const auto r = sys.run(m, e);
    REQUIRE(r.feasible());
    return r.breakdown[eval::Term::pp_comm];
  };
  const double bytes = static_cast<double>(m.seq) * m.hidden * 2;
  CHECK(pp_comm(false, true) == doctest::Approx(2 * 2 * bytes / 4 / 1e6).epsilon(1e-6));
  CHECK(pp_comm(false, false) == doctest::Approx(2 * 2 * bytes / 1e6).epsilon(1e-6));
  // With sequence parallelism the 1/tp is each rank's own: the switch changes nothing.
  CHECK(pp_comm(true, true) == pp_comm(true, false));
  CHECK(pp_comm(true, true) == doctest::Approx(2 * 2 * bytes / 4 / 1e6).epsilon(1e-6));
}

TEST_CASE("pipeline sends overlapped (overlap_p2p): each hides behind its model chunk's compute, interleaved only, by hand") {
  // The two-rack fixture of the case above with sequence parallelism: sends of bytes / tp at 1 MB/s,
  // seconds long, against an ideal chip's milliseconds of compute. Interleaved (vpp 2), each of the
  // 2 x vpp transfers per micro-batch hides behind one chunk's forward or backward, so the sends
  // lose exactly the slowest stage's layer compute per micro-batch (the last stage's, less the
  // output head, which runs after the sends); the bubble still waits on them whole. vpp 1: no
  // change (the schedule has no other chunk to run meanwhile).
  System sys(slow_pipeline_link());
  const auto m = llama8b();
  workload::Execution e;
  e.tp = 4, e.pp = 2, e.vpp = 2, e.global_batch = 2, e.sequence_parallel = true;
  const auto plain = sys.run(m, e);
  e.overlap_p2p = true;
  const auto hidden = sys.run(m, e);
  REQUIRE(plain.feasible());
  REQUIRE(hidden.feasible());
  const double head = 3 * workload::head_forward(m, e, m.seq).matmul.flops / 1e15;
  const double layers = plain.breakdown[eval::Term::compute] / plain.micro_batches - head;  // 16 layers, forward + backward
  CHECK(hidden.breakdown[eval::Term::pp_comm] ==
        doctest::Approx(plain.breakdown[eval::Term::pp_comm] - plain.micro_batches * layers).epsilon(1e-9));
  CHECK(hidden.breakdown[eval::Term::pp_bubble] == plain.breakdown[eval::Term::pp_bubble]);
  e.vpp = 1;
  const auto one = sys.run(m, e);
  e.overlap_p2p = false;
  CHECK(one.breakdown[eval::Term::pp_comm] == sys.run(m, e).breakdown[eval::Term::pp_comm]);
}

TEST_CASE("context parallelism: CP ranks sum their gradients and share the ZeRO shards (Megatron-Core's DP-with-CP group)") {
  // Llama 3.1 8B on 4 ranks of one switch. dp 1 x cp 2 x tp 2: the two CP ranks hold the same
  // parameters, so their gradients are reduced over the pair, exactly as dp 2 x tp 2 reduces over
  // its two replicas (the same bytes on a pair of ranks the same distance apart: equal times), and
  // the distributed optimizer splits its states between them: 12 bytes per parameter / 2.
  System sys(ideal(4));
  const auto m = llama8b();
  workload::Execution e;
  e.tp = 2, e.global_batch = 2, e.zero = 1, e.overlap_dp = false, e.overlap_param_gather = false;
  e.order = {"tp", "cp", "dp", "ep", "pp"};
  e.cp = 2, e.dp = 1;
  const auto with_cp = sys.run(m, e);
  e.cp = 1, e.dp = 2;
  const auto with_dp = sys.run(m, e);
  REQUIRE(with_cp.feasible());
  REQUIRE(with_dp.feasible());
  CHECK(with_cp.breakdown[eval::Term::dp_comm] > 0);
  CHECK(with_cp.breakdown[eval::Term::dp_comm] == doctest::Approx(with_dp.breakdown[eval::Term::dp_comm]));
  const auto& mem = with_cp.memory_per_rank;
  CHECK(mem.optimizer_B == doctest::Approx(mem.params * 12 / 2));
  CHECK(mem.gradients_B == doctest::Approx(mem.params * 4));
  CHECK(workload::param_replicas(e) == 2);
}

TEST_CASE("context parallelism: ring attention merges each step's output and gradients as TE does, by hand") {
  // Llama 3.1 8B (32 heads and 8 KV heads of 128), s 8192, CP 2: 4096 tokens per rank. Forward: the
  // 16-bit accumulator zeroed (2 bytes) and each of the 2 steps' outputs merged into it (read 2 + 2,
  // write 2) over 4096 x 4096 elements, in 1 + 2 + 1 kernels (zero, merges, statistics); backward,
  // each step's dQ (4096 wide) and dK, dV (1024 each) added in (6 bytes), 2 x 2 kernels.
  const auto m = llama8b();
  workload::Execution e;
  e.cp = 2;
  const auto w = workload::layer_forward(m, 0, e, 8192, true);
  CHECK(w.ring_merge.bytes == doctest::Approx(4096.0 * 4096 * (2 + 2 * 6)));
  CHECK(w.ring_merge.kernels == 4);
  CHECK(w.ring_merge_backward.bytes == doctest::Approx(2 * 6 * 4096.0 * (4096 + 1024 + 1024)));
  CHECK(w.ring_merge_backward.kernels == 4);
  e.cp = 1;
  CHECK(workload::layer_forward(m, 0, e, 8192, true).ring_merge.bytes == 0);
}

TEST_CASE("point-to-point exchanges between racks take the runtime's network share of compute, inside a rack its collective share") {
  // Ring attention's exchange of c seconds hidden behind w seconds of attention adds
  // max(c - w, share x c). With links so fast that every exchange hides (c << w), the CP term is
  // share x (forward c + backward 2c): linear in the share. CP 2 across two racks of one chip (the
  // pair's exchange crosses the network): doubling network_p2p_share doubles the term, and
  // compute_share does not move it. The same pair inside one rack: the other way round. Four
  // ranks, dp 2 inside cp 2: rank 0's CP peer is rank 2, in the other rack of two chips.
  const auto m = llama8b();
  workload::Execution e;
  e.cp = 2, e.dp = 2, e.global_batch = 2, e.zero = 1;
  e.order = {"tp", "dp", "cp", "ep", "pp"};
  auto run = [&](hw::ClusterSpec spec, double collective, double network) {
    spec.rack.chip.flops[Precision::bf16] = 1e15;
    spec.rack.chip.hbm_bandwidth_Bps = 1e30;
    spec.rack.chip.hbm_capacity_B = 1e15;
    spec.rack.chip.collectives.launch_overhead_s = 0;
    spec.rack.chip.collectives.protocols = {{"simple", 1.0, 0, 0}};
    spec.rack.chip.collectives.overlap_compute_share = collective;
    spec.rack.chip.collectives.overlap_network_p2p_share = network;
    System sys(spec);
    const auto r = sys.run(m, e);
    REQUIRE(r.feasible());
    return r.breakdown[eval::Term::cp_comm];
  };
  const auto across = [] { return test::two_racks(2, 1e18, 0, 1e12, 0, 0); };
  const double base = run(across(), 0.2, 0.1);
  REQUIRE(base > 0);
  CHECK(run(across(), 0.2, 0.2) == doctest::Approx(2 * base).epsilon(1e-12));
  CHECK(run(across(), 0.4, 0.1) == doctest::Approx(base).epsilon(1e-12));
  const auto inside = [] { return test::switch_cluster(4, 1e15, 0); };
  const double rack = run(inside(), 0.2, 0.1);
  REQUIRE(rack > 0);
  CHECK(run(inside(), 0.4, 0.1) == doctest::Approx(2 * rack).epsilon(1e-12));
  CHECK(run(inside(), 0.2, 0.3) == doctest::Approx(rack).epsilon(1e-12));
}

TEST_CASE("expert data parallelism: experts' states shard over the ranks holding the same experts, by hand") {
  // Mixtral 8x22B, ep 2 of dp 4 (tp 2, 8 ranks): every expert lives on dp / ep = 2 ranks, the
  // other parameters on all 4 replicas. ZeRO-1 shards the 12 optimizer bytes per parameter of the
  // experts over 2 ranks and the rest over 4 (Megatron-Core's expert_data_parallel_group); the
  // experts' gradients are reduced over {0, 4}, rank 0 and the rank holding its experts in the
  // other EP pair, the dense ones over the whole DP group {0, 2, 4, 6} (ranks tp-strided).
  io::InputFiles files;
  const auto m = io::read_model(std::string(RACKSCOPE_SOURCE_DIR) + "/workloads/models/mixtral-8x22b.toml", {}, files);
  System sys(ideal(8));
  workload::Execution e;
  e.tp = 2, e.dp = 4, e.ep = 2, e.zero = 1, e.global_batch = 4, e.sequence_parallel = true;
  const auto r = sys.run(m, e);
  INFO(std::string(workload::infeasibility_name(r.reason)), ": ", r.detail);
  REQUIRE(r.feasible());
  const auto& mem = r.memory_per_rank;
  REQUIRE(mem.expert_params > 0);
  CHECK(mem.optimizer_B == doctest::Approx((mem.params - mem.expert_params) * 12 / 4 + mem.expert_params * 12 / 2));
  CHECK(mem.gradients_B == doctest::Approx(mem.params * 4));
  // ZeRO-3 shards the 16-bit weights the same way; unoverlapped, its gathers are exposed.
  e.zero = 3, e.overlap_param_gather = false;
  const auto z3 = sys.run(m, e);
  REQUIRE(z3.feasible());
  const auto& w = z3.memory_per_rank;
  CHECK(w.weights_B == doctest::Approx((w.params - w.expert_params) * 2 / 4 + w.expert_params * 2 / 2));
  CHECK(z3.breakdown[eval::Term::dp_comm] > 0);
  const auto p = workload::place(e);
  std::vector<int> dp = p.dp.endpoints;
  std::sort(dp.begin(), dp.end());
  CHECK(dp == std::vector<int>{0, 2, 4, 6});
  CHECK(p.edp.endpoints == std::vector<int>{0, 4});
}

TEST_CASE("cross-entropy: Megatron-Core's fused loss over [2048 x 4, 131072] bf16 logits takes Liger's measured 17.95 ms on H100") {
  // Liger-Kernel's benchmark (data/all_benchmark_data_megatron.csv, H100 80GB HBM3): the fused
  // fused_vocab_parallel_cross_entropy forward 11.80 ms, forward + backward 17.95 ms; the unfused
  // vocab_parallel_cross_entropy 15.82 and 21.25 ms. The H100 profile moves elementwise bytes at
  // 0.87 of 3.35 TB/s and issues each kernel with 4 us of overhead (4 forward, 2 backward fused).
  workload::ModelSpec m = llama8b();
  m.vocab = 131072;
  workload::Execution e;
  e.micro_batch = 4;
  compute::Profile p;
  p.memory_efficiency = 0.87;
  p.elementwise_overhead_s = 4e-6;
  const compute::RankRates r{989e12, 3.35e12, 989e12};
  auto loss_ms = [&](workload::CrossEntropy k, bool backward) {
    e.cross_entropy = k;
    const workload::LayerWork w = workload::head_forward(m, e, 2048);
    const workload::KernelWork& pass = backward ? w.loss_backward : w.loss;
    return compute::elementwise_time(p, r, pass.bytes, pass.kernels) * 1e3;
  };
  CHECK(loss_ms(workload::CrossEntropy::fused, false) == doctest::Approx(11.80).epsilon(0.01));
  CHECK(loss_ms(workload::CrossEntropy::fused, true) == doctest::Approx(17.95 - 11.80).epsilon(0.01));
  CHECK(loss_ms(workload::CrossEntropy::unfused, false) == doctest::Approx(15.82).epsilon(0.01));
  CHECK(loss_ms(workload::CrossEntropy::unfused, true) == doctest::Approx(21.25 - 15.82).epsilon(0.01));
  // Transformer Engine's: one read of the bf16 logits forward, a read and the gradient written in
  // place backward: 2 + 4 bytes per logit at the same rate, 2.2 ms in all.
  const double logits = 2048.0 * 4 * 131072;
  CHECK(loss_ms(workload::CrossEntropy::te, false) + loss_ms(workload::CrossEntropy::te, true) ==
        doctest::Approx(6 * logits / (0.87 * 3.35e12) * 1e3 + 3 * 4e-3).epsilon(1e-9));
  // What the loss keeps for its backward on the last stage: the fp32 softmax (4 bytes per logit),
  // or with Transformer Engine the bf16 logits it overwrites with their gradient (2 bytes).
  e.global_batch = 4;
  auto kept = [&](workload::CrossEntropy k) {
    e.cross_entropy = k;
    return workload::memory_per_rank(m, e, 2048, true, 1).activations_B;
  };
  CHECK(kept(workload::CrossEntropy::fused) - kept(workload::CrossEntropy::te) == doctest::Approx(2 * logits));
}
