// Selectively recomputed modules (Execution::recompute_mla_up_proj, recompute_moe_act, recompute_mlp,
// recompute_moe, recompute_layernorm, recompute_shared_experts) and MLA's
// activation memory, against hand-derived forms (project issue 12, capabilities 1 and 4).
#include <doctest/doctest.h>

#include "compute/roofline.hpp"
#include "eval/step_parts.hpp"
#include "workload/layer_work.hpp"
#include "workload/moe_dispatch.hpp"
#include "workload/numerics.hpp"
#include "../unit/test_models.hpp"

using namespace rackscope;

namespace {
// A small MLA model: 16 heads, q_lora 512, kv_lora 128, qk_nope 64 + qk_rope 32, v_head 64,
// hidden 1024, dense FFN 4096 (SwiGLU); no dropout, RoPE.
workload::ModelSpec small_mla() {
  workload::ModelSpec m = test::transformer("mla", 2, 1024, 4096, 16, 16, 96, 32000, 2048);
  m.activation = workload::Activation::swiglu;
  m.norm = workload::Norm::rmsnorm;
  m.attention = workload::Attention::mla;
  m.mla = {512, 128, 64, 32, 64};
  return m;
}
}  // namespace

TEST_CASE("recompute: MLA keeps Q, K, V unless its up-projections are recomputed; latents whole on each TP rank") {
  // TP 2 with sequence parallelism, bf16, flash, one sequence of 2048 tokens (s b = 2048, h 1024).
  // Per token: replicated 8 h / t (norm inputs and the GEMM inputs); attention, split by TP:
  // Q and K 16 x 96 wide, V 16 x 64, 2 bytes each, and the output projection's input 16 x 64
  // x 2; the FFN 6 x 4096 / t; the latents (512 + 128) x (2 + 2) bytes on each rank.
  const workload::ModelSpec m = small_mla();
  workload::Execution e;
  e.tp = 2, e.sequence_parallel = true;
  const double tokens = 2048, h = 1024;
  const double replicated = 8 * tokens * h / 2, qkv = 2 * (2 * 16 * 96 + 16 * 64), context = 2 * 16 * 64;
  const double ffn = 6 * 4096.0 * tokens / 2, latents = tokens * 4 * (512 + 128);
  CHECK(workload::layer_activation_bytes(m, 0, e, 2048, true) ==
        doctest::Approx(replicated + tokens * (qkv + context) / 2 + ffn + latents));
  e.recompute_mla_up_proj = true;
  CHECK(workload::layer_activation_bytes(m, 0, e, 2048, true) == doctest::Approx(replicated + tokens * context / 2 + ffn + latents));
  // fp8 GEMMs keep their inputs in one byte: the latents' 2 + 1, the projection's input 2 + 1.
  e.precision = workload::Precision::fp8;
  const double replicated8 = (2 * 2 + 2 * 1) * tokens * h / 2, ffn8 = (2 * 2 + 1) * 4096.0 * tokens / 2;
  CHECK(workload::layer_activation_bytes(m, 0, e, 2048, true) ==
        doctest::Approx(replicated8 + tokens * 3 * 16 * 64 / 2 + ffn8 + tokens * 3 * (512 + 128)));
}

TEST_CASE("recompute: the backward repeats MLA's up-projection GEMMs and latent norms, nothing else") {
  // The two up-projections (2048 x 512 by 512 x 16 x 96 / 2, and 2048 x 128 by 128 x 16 x
  // (64 + 64) / 2) run again, the two norms read and write the 2048 x (512 + 128) latents, and
  // RoPE rotates the rebuilt query's 8 local heads' and the shared key's 32 rope dimensions.
  const workload::ModelSpec m = small_mla();
  workload::Execution e;
  e.tp = 2, e.sequence_parallel = true;
  const compute::Profile p;
  const compute::RankRates r{1e14, 1e12, 1e14};
  const workload::LayerWork plain = workload::layer_forward(m, 0, e, 2048, true);
  CHECK(plain.recompute_gemms.empty());
  CHECK(eval::layer_times(plain, p, r, workload::Recompute::none).recompute == 0);
  e.recompute_mla_up_proj = true;
  const workload::LayerWork w = workload::layer_forward(m, 0, e, 2048, true);
  REQUIRE(w.recompute_gemms.size() == 2);
  CHECK(w.recompute_gemms[0].in == 512);
  CHECK(w.recompute_gemms[0].out == 16 * 96 / 2);
  CHECK(w.recompute_gemms[1].in == 128);
  CHECK(w.recompute_gemms[1].out == 16 * 128 / 2);
  auto gemm = [&](const workload::Gemm& g) { return compute::gemm_time(p, r, g.rows, g.out, g.in, g.bytes, g.copies); };
  const double elementwise = compute::elementwise_time(p, r, 2 * 2 * 2048.0 * (512 + 128) + 2 * 2 * 2048.0 * (8 + 1) * 32, 2 + 2);
  CHECK(eval::layer_times(w, p, r, workload::Recompute::none).recompute ==
        doctest::Approx(gemm(w.recompute_gemms[0]) + gemm(w.recompute_gemms[1]) + elementwise));
  // The forward itself is the same work.
  CHECK(eval::layer_times(w, p, r, workload::Recompute::none).fwd == doctest::Approx(eval::layer_times(plain, p, r, workload::Recompute::none).fwd));
  // Full recompute repeats the whole forward: nothing added on top.
  e.recompute = workload::Recompute::full;
  const workload::LayerWork full = workload::layer_forward(m, 0, e, 2048, true);
  CHECK(full.recompute_gemms.empty());
  CHECK(eval::layer_times(full, p, r, workload::Recompute::full).recompute == doctest::Approx(eval::layer_times(full, p, r, workload::Recompute::full).fwd));
}

TEST_CASE("recompute: the experts' activation, rebuilt in the backward, is not kept") {
  // An MoE layer (64 experts of FFN 1408, top 6, SwiGLU, EP 8, TP 1, 4096 tokens): the routed
  // experts keep FC1's output (2 x 2 bytes per width) and, unless moe_act is recomputed, the
  // activation's output (2 bytes) for each received row; recomputed, the activation runs again
  // (read 2 f, write f per row, 2 bytes each).
  const workload::ModelSpec m = test::fine_grained_moe();
  workload::Execution e;
  e.ep = 8, e.dp = 8;
  const workload::MoeDispatch d = workload::moe_dispatch(m, e, 4096);
  const double kept = workload::layer_activation_bytes(m, 0, e, 4096, true);
  e.recompute_moe_act = true;
  CHECK(kept - workload::layer_activation_bytes(m, 0, e, 4096, true) == doctest::Approx(2 * 1408 * d.received));
  const workload::LayerWork w = workload::layer_forward(m, 0, e, 4096, true);
  CHECK(w.recompute_gemms.empty());
  CHECK(w.recompute_elementwise.bytes == doctest::Approx(2 * 3 * 1408 * d.received));
  CHECK(w.recompute_casts.kernels == 0);  // 16-bit GEMMs: no quantization to redo
}

TEST_CASE("recompute: a dense MLP checkpointed on its input keeps neither FC1's input nor its internals, and runs again") {
  // Dense GQA layer, hidden 1024, FFN 4096 (SwiGLU: up and gate 1024 x 4096, down 4096 x 1024),
  // TP 2 with sequence parallelism, bf16, flash, one sequence of 2048 tokens (s b = 2048).
  workload::ModelSpec m = test::transformer("dense", 2, 1024, 4096, 16, 4, 64, 32000, 2048);
  m.activation = workload::Activation::swiglu;
  m.norm = workload::Norm::rmsnorm;
  workload::Execution e;
  e.tp = 2, e.sequence_parallel = true;
  const double tokens = 2048, h = 1024, f = 4096;
  // Kept without recompute, FFN part: FC1's input (2 bytes x s b h, split by SP over t = 2) and,
  // per FFN width, FC1's two outputs and the activation's output (2 + 2 + 2 bytes), split by TP.
  const double plain = workload::layer_activation_bytes(m, 0, e, 2048, true);
  e.recompute_mlp = true;
  const double kept = workload::layer_activation_bytes(m, 0, e, 2048, true);
  CHECK(plain - kept == doctest::Approx(2 * tokens * h / 2 + 6 * f * tokens / 2));
  // Recomputed: the pre-MLP norm (read and write its 1024 tokens of h), the three FFN GEMMs on
  // 2048 gathered rows (up and gate 1024 -> 2048 per rank, down 2048 -> 1024) and the activation
  // (read 2, write 1 of 2048 x 2048, 2 bytes each).
  const workload::LayerWork w = workload::layer_forward(m, 0, e, 2048, true);
  REQUIRE(w.recompute_gemms.size() == 3);
  CHECK(w.recompute_gemms[0].rows == tokens);
  CHECK(w.recompute_gemms[0].in == h);
  CHECK(w.recompute_gemms[0].out == f / 2);
  CHECK(w.recompute_gemms[2].in == f / 2);
  CHECK(w.recompute_gemms[2].out == h);
  CHECK(w.recompute_elementwise.bytes == doctest::Approx(2 * 2 * tokens / 2 * h + 2 * 3 * tokens * f / 2));
  CHECK(w.recompute_elementwise.kernels == 2);
  CHECK(w.ffn_tp_recomputed);
  const compute::Profile p;
  const compute::RankRates r{1e14, 1e12, 1e14};
  auto gemm = [&](const workload::Gemm& g) { return compute::gemm_time(p, r, g.rows, g.out, g.in, g.bytes, g.copies); };
  CHECK(eval::layer_times(w, p, r, workload::Recompute::none).recompute ==
        doctest::Approx(gemm(w.recompute_gemms[0]) + gemm(w.recompute_gemms[1]) + gemm(w.recompute_gemms[2]) +
                        compute::elementwise_time(p, r, w.recompute_elementwise.bytes, 2)));
  // With TP the FFN block's forward gather and reduce-scatter run once more (exposed, no overlap):
  // ag + rs on top of the layer's 2 (ag + rs) forward and 2 (ag + ag + rs) backward.
  eval::LayerTimes t;
  CHECK(eval::tp_collective_matmul(e, t, 0, 1.0, 1.0, 0, 2, true) == doctest::Approx(2 * 2 + 2 * 3 + 2));
  CHECK(eval::tp_collective_matmul(e, t, 0, 1.0, 1.0, 0, 2, false) == doctest::Approx(2 * 2 + 2 * 3));
  // A layer of an MoE model's experts is not a dense MLP: nothing recomputed there.
  const workload::ModelSpec moe = test::fine_grained_moe();
  CHECK(workload::layer_forward(moe, 0, e, 4096, true).recompute_gemms.empty());
}

TEST_CASE("recompute: an MoE block checkpointed on its input keeps none of its rows and runs again, all-to-alls included") {
  // The fine-grained MoE (hidden 2048, 64 experts of 1408, top-6, SwiGLU), EP 8, one sequence of
  // 4096 tokens, bf16, flash. Kept without recompute, MoE part: the received rows' expert input
  // (2 bytes x h) and internals (FC1's two outputs and the activation's output, 2 + 2 + 2 bytes per
  // width), and the routed rows awaiting the un-permutation (2 bytes x h).
  const workload::ModelSpec m = test::fine_grained_moe();
  workload::Execution e;
  e.ep = 8, e.dp = 8;
  const workload::MoeDispatch d = workload::moe_dispatch(m, e, 4096);
  const double h = 2048, f = 1408;
  const double plain = workload::layer_activation_bytes(m, 0, e, 4096, true);
  e.recompute_moe = true;
  CHECK(plain - workload::layer_activation_bytes(m, 0, e, 4096, true) ==
        doctest::Approx((2 * d.received + 2 * d.routed) * h + 6 * f * d.received));
  // It holds moe_act's saving: adding that switch changes nothing.
  e.recompute_moe_act = true;
  CHECK(plain - workload::layer_activation_bytes(m, 0, e, 4096, true) ==
        doctest::Approx((2 * d.received + 2 * d.routed) * h + 6 * f * d.received));
  // Recomputed: the router (4096 x 2048 -> 64) and the three grouped GEMMs (8 local experts of
  // rows_per_expert rows), the same as the forward's, and the routing and activation kernels.
  const workload::LayerWork w = workload::layer_forward(m, 0, e, 4096, true);
  e.recompute_moe = false, e.recompute_moe_act = false;
  const workload::LayerWork forward = workload::layer_forward(m, 0, e, 4096, true);
  REQUIRE(w.recompute_gemms.size() == 4);
  CHECK(w.recompute_gemms[0].rows == 4096);
  CHECK(w.recompute_gemms[0].out == 64);
  CHECK(w.recompute_gemms[1].rows == doctest::Approx(d.rows_per_expert));
  CHECK(w.recompute_gemms[1].copies == doctest::Approx(8));
  CHECK(w.recompute_gemms[3].in == f);
  double moe_flops = 0;
  for (std::size_t i = forward.gemms.size() - 4; i < forward.gemms.size(); ++i)
    moe_flops += 2 * forward.gemms[i].rows * forward.gemms[i].in * forward.gemms[i].out * forward.gemms[i].copies;
  double again_flops = 0;
  for (const auto& g : w.recompute_gemms) again_flops += 2 * g.rows * g.in * g.out * g.copies;
  CHECK(again_flops == doctest::Approx(moe_flops));
  CHECK(w.recompute_elementwise.bytes == doctest::Approx(forward.moe_routing.bytes + 2 * 3 * f * d.received));
  CHECK(w.moe_recomputed);
  CHECK_FALSE(w.ffn_tp_recomputed);  // no shared experts: no TP collective in the block
}

TEST_CASE("recompute: the norms apart from a GEMM drop their outputs and run again; fused ones keep nothing apart") {
  // The fine-grained MoE, TP 1, one sequence of 4096 tokens, bf16: its pre-MLP norm stands apart
  // (the router reads it): its output, 2 bytes x 4096 x 2048, is not kept, and the norm reads and
  // writes 4096 x 2048 again (one kernel). Its input norm is fused into the QKV GEMM: kept as is.
  const workload::ModelSpec moe = test::fine_grained_moe();
  workload::Execution e;
  const double tokens = 4096, h = 2048;
  const double plain = workload::layer_activation_bytes(moe, 0, e, 4096, true);
  const workload::LayerWork plain_work = workload::layer_forward(moe, 0, e, 4096, true);
  e.recompute_layernorm = true;
  CHECK(plain - workload::layer_activation_bytes(moe, 0, e, 4096, true) == doctest::Approx(2 * tokens * h));
  const workload::LayerWork w = workload::layer_forward(moe, 0, e, 4096, true);
  CHECK(w.recompute_elementwise.bytes - plain_work.recompute_elementwise.bytes == doctest::Approx(2 * 2 * tokens * h));
  CHECK(w.recompute_elementwise.kernels == 1);
  CHECK(w.recompute_gemms.empty());
  // MLA with a dense FFN, TP 2 with sequence parallelism: the input norm stands apart (two
  // down-projections read it), split like the hidden stream: 2 x 2048 x 1024 / 2 bytes.
  const workload::ModelSpec mla = small_mla();
  workload::Execution t;
  t.tp = 2, t.sequence_parallel = true;
  const double mla_plain = workload::layer_activation_bytes(mla, 0, t, 2048, true);
  t.recompute_layernorm = true;
  CHECK(mla_plain - workload::layer_activation_bytes(mla, 0, t, 2048, true) == doctest::Approx(2 * 2048 * 1024 / 2.0));
  CHECK(workload::layer_forward(mla, 0, t, 2048, true).recompute_elementwise.bytes == doctest::Approx(2 * 2 * 2048 / 2.0 * 1024));
  // A dense layer with standard attention has no norm apart: nothing changes.
  workload::ModelSpec dense = test::transformer("dense", 2, 1024, 4096, 16, 4, 64, 32000, 2048);
  workload::Execution d;
  const double dense_plain = workload::layer_activation_bytes(dense, 0, d, 2048, true);
  d.recompute_layernorm = true;
  CHECK(workload::layer_activation_bytes(dense, 0, d, 2048, true) == dense_plain);
}

TEST_CASE("recompute: shared experts checkpointed on their input keep no internals and run again with their TP collectives") {
  // The fine-grained MoE with 2 shared experts (one MLP of 2 x 1408), TP 2 with sequence
  // parallelism, one sequence of 4096 tokens, bf16: kept without recompute, their internals per
  // width (FC1's two outputs and the activation's output, 2 + 2 + 2 bytes) split by TP.
  workload::ModelSpec m = test::fine_grained_moe();
  m.moe.shared_experts = 2;
  workload::Execution e;
  e.tp = 2, e.sequence_parallel = true;
  const double tokens = 4096, fs = 2 * 1408.0;
  const double plain = workload::layer_activation_bytes(m, 0, e, 4096, true);
  e.recompute_shared_experts = true;
  CHECK(plain - workload::layer_activation_bytes(m, 0, e, 4096, true) == doctest::Approx(6 * fs * tokens / 2));
  // Recomputed: their three GEMMs on the 4096 gathered rows (h -> fs / 2 twice, fs / 2 -> h) and
  // the activation (read 2, write 1 of 4096 x fs / 2, 2 bytes each); their TP collectives again.
  const workload::LayerWork w = workload::layer_forward(m, 0, e, 4096, true);
  REQUIRE(w.recompute_gemms.size() == 3);
  CHECK(w.recompute_gemms[0].rows == tokens);
  CHECK(w.recompute_gemms[0].out == fs / 2);
  CHECK(w.recompute_gemms[2].in == fs / 2);
  CHECK(w.recompute_elementwise.bytes == doctest::Approx(2 * 3 * tokens * fs / 2));
  CHECK(w.ffn_tp_recomputed);
  // Within a recomputed MoE block they are already counted: nothing twice.
  e.recompute_moe = true;
  CHECK(workload::layer_forward(m, 0, e, 4096, true).recompute_gemms.size() == 4 + 3);
}
