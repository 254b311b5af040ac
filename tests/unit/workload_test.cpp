#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "compute/roofline.hpp"
#include "eval/evaluate.hpp"
#include "eval/step_parts.hpp"
#include "io/model_reader.hpp"
#include "test_clusters.hpp"
#include "workload/counts.hpp"
#include "workload/layer_work.hpp"
#include "workload/memory.hpp"
#include "workload/placement.hpp"

using namespace rackscope;

namespace {
workload::ModelSpec load(const std::string& name) {
  io::InputFiles files;
  return io::read_model(std::string(RACKSCOPE_SOURCE_DIR) + "/workloads/models/" + name + ".toml", {}, files);
}

// Significant digits the published size is stated with ("1.7e9" has 2, "8.03e9" has 3).
int significant_digits(double v) {
  char buf[64];
  for (int d = 1; d < 15; ++d) {
    std::snprintf(buf, sizeof buf, "%.*e", d - 1, v);
    if (std::stod(buf) == v) return d;
  }
  return 15;
}
}  // namespace

TEST_CASE("workload: parameter counts match the published sizes") {
  for (const auto& entry : std::filesystem::directory_iterator(std::string(RACKSCOPE_SOURCE_DIR) + "/workloads/models")) {
    const auto m = load(entry.path().stem().string());
    REQUIRE(m.published_params > 0);
    const double n = workload::total_params(m);
    // Within 1%, or equal once rounded to the precision the size is published with ("1.7B").
    const int digits = significant_digits(m.published_params);
    const double unit = std::pow(10.0, std::floor(std::log10(m.published_params)) - (digits - 1));
    const bool rounds_to = std::fabs(std::round(n / unit) * unit - m.published_params) < unit / 2;
    CAPTURE(m.name);
    CAPTURE(n);
    CHECK((std::fabs(n - m.published_params) / m.published_params <= 0.01 || rounds_to));
  }
}

TEST_CASE("workload: op-level FLOPs of a dense model add up to 6N + 12 L h s") {
  // Forward FLOPs of every GEMM (2 per multiply-add: 2N per token over the parameters that
  // multiply) and of QK^T and AV (4 s h per token per layer, non-causal), times 3 for forward +
  // backward, must equal 6 N + 12 L h s with N the matmul parameters: all but the input
  // embedding and the norms (Llama has no biases).
  const auto m = load("llama-3.1-8b");
  workload::Execution e;
  e.micro_batch = 1;
  const int seq = 4096;
  double flops = 0;
  for (int l = 0; l < m.layers; ++l) {
    const auto w = workload::layer_forward(m, l, e, seq, true);
    flops += w.matmul.flops + w.attention_model_flops;
  }
  flops += workload::head_forward(m, e, seq).matmul.flops;
  double norms = 0;
  for (int l = 0; l < m.layers; ++l) norms += workload::layer_params(m, l).norms;
  const double input_embedding = static_cast<double>(m.vocab) * m.hidden, final_norm = m.hidden;
  const double n_matmul = workload::total_params(m) - input_embedding - norms - final_norm;
  const double per_token = 6 * n_matmul + 12.0 * m.layers * m.heads * m.head_dim * seq;
  CHECK(3 * flops / seq == doctest::Approx(per_token).epsilon(1e-12));
  // And the reported model-FLOPs convention counts every parameter: 6 N + 12 L h s.
  CHECK(workload::model_flops_per_token(m, seq) ==
        doctest::Approx(6 * workload::total_params(m) + 12.0 * m.layers * m.heads * m.head_dim * seq).epsilon(1e-12));
}

TEST_CASE("workload: ZeRO-3 memory per rank by hand") {
  // Llama 3.1 8B, tp = pp = 1, dp = 8, ZeRO-3: every rank keeps 1/8 of the 2-byte weights, the
  // 4-byte gradients and the 12 bytes of fp32 master + Adam m, v: N * 18 / 8 bytes. Activations
  // of one micro-batch of s = 4096 tokens with flash attention and no recompute, per layer:
  // s*b*h * (8 + (2(q + 2kv) + 2q)/h + 6 f/h) bytes (8: norm, QKV and FC1 inputs; Llama has no
  // dropout masks), q = 4096, kv = 1024, f = 14336, h = 4096:
  // 8 + (2*6144 + 8192)/4096 + 6*3.5 = 8 + 5 + 21 = 34 bytes per s*b*h, over 32 layers, plus the
  // fp32 logits 4 * s * V for the loss.
  const auto m = load("llama-3.1-8b");
  workload::Execution e;
  e.dp = 8;
  e.zero = 3;
  e.global_batch = 8;
  const auto u = workload::memory_per_rank(m, e, 4096, true, 1);
  const double n = workload::total_params(m);
  CHECK(u.weights_B == doctest::Approx(n * 2 / 8));
  CHECK(u.gradients_B == doctest::Approx(n * 4 / 8));
  CHECK(u.optimizer_B == doctest::Approx(n * 12 / 8));
  const double sbh = 4096.0 * 4096;
  CHECK(u.activations_B == doctest::Approx(34 * sbh * 32 + 4.0 * 4096 * 128256));
  // Buffers: two unsharded layers of 2-byte weights (computing one, prefetching the next) and one
  // layer's 4-byte gradients before the reduce-scatter. A layer: attention 2 h^2 + 2 h kv
  // = 41,943,040, SwiGLU 3 h f = 176,160,768, two norms 8,192: 218,112,000 parameters.
  CHECK(u.buffers_B == doctest::Approx(218112000.0 * (2 * 2 + 4)));
}

TEST_CASE("workload: bad executions are infeasible with a reason, never a crash") {
  hw::ClusterSpec spec = test::switch_cluster(8);
  spec.rack.chip.hbm_capacity_B = 1e12;
  const fabric::Fabric f(spec);
  collective::Planner planner(f, f.spec().rack.chip.collectives);
  compute::Profile profile;
  const auto m = load("llama-3.1-8b");
  const auto mixtral = load("mixtral-8x22b");
  auto run = [&](const workload::ModelSpec& model, workload::Execution e) { return eval::evaluate({f, planner, profile}, model, e); };
  workload::Execution e;
  e.global_batch = 8;
  e.dp = 8;
  CHECK(run(m, e).feasible());
  auto bad = e;
  bad.dp = 4;  // 4 ranks of 8
  CHECK(run(m, bad).reason == workload::Infeasibility::ranks_mismatch);
  bad = e;
  bad.tp = 8, bad.dp = 1;
  bad.global_batch = 8;
  CHECK(run(m, bad).feasible());  // 32 heads / 8 KV heads: tp 8 divides both
  hw::ClusterSpec six = test::switch_cluster(6);
  const fabric::Fabric f6(six);
  collective::Planner p6(f6, f6.spec().rack.chip.collectives);
  bad.tp = 6;
  CHECK(eval::evaluate({f6, p6, profile}, m, bad).reason == workload::Infeasibility::tp_heads);
  bad = e;
  bad.micro_batch = 3;
  CHECK(run(m, bad).reason == workload::Infeasibility::batch_split);
  bad = e;
  bad.ep = 2;
  CHECK(run(m, bad).reason == workload::Infeasibility::ep_experts);  // a dense model has no experts
  CHECK(run(m, bad).detail == "ep 2 needs experts, and " + m.name + " is a dense model (no [moe] table)");
  bad.ep = 16;
  CHECK(run(mixtral, bad).reason == workload::Infeasibility::ep_experts);  // 16 > 8 experts
  bad = e;
  bad.global_batch = 8192;
  bad.micro_batch = 1024;
  const auto oom = run(m, bad);
  CHECK(oom.reason == workload::Infeasibility::out_of_memory);
  CHECK(oom.detail.find("GiB over") != std::string::npos);
}

TEST_CASE("memory: an unfused profile's out-of-memory run says what a fused kernel would need, when that fits") {
  const auto m = load("llama-3.1-8b");
  workload::Execution e;
  e.global_batch = 64, e.dp = 8, e.micro_batch = 8, e.zero = 3;
  const int seq = 8192;
  const double unfused = workload::memory_per_rank(m, e, seq, false, 1, workload::state_bytes(e)).total();
  const double fused = workload::memory_per_rank(m, e, seq, true, 1, workload::state_bytes(e)).total();
  REQUIRE(fused < unfused);  // the s^2 scores: 8 x 32 heads x 8192^2 x 2 bytes per layer
  hw::Chip chip = test::switch_cluster(8).rack.chip;
  chip.hbm_capacity_B = (fused + unfused) / 2;
  const eval::Report between = eval::check_memory(m, e, seq, false, 1, chip);
  CHECK(between.reason == workload::Infeasibility::out_of_memory);
  CHECK(between.detail.find(fmt::format("it would need {:.1f} GiB", fused / (1 << 30))) != std::string::npos);
  CHECK(eval::check_memory(m, e, seq, true, 1, chip).feasible());  // the fused run fits, as the hint says
  chip.hbm_capacity_B = fused / 2;  // neither fits: no hint
  const eval::Report neither = eval::check_memory(m, e, seq, false, 1, chip);
  CHECK(neither.reason == workload::Infeasibility::out_of_memory);
  CHECK(neither.detail.find("fused") == std::string::npos);
}

TEST_CASE("step: each precision runs at the chip's own rate for it, or is infeasible without one") {
  hw::ClusterSpec spec = test::switch_cluster(8);
  spec.rack.chip.hbm_capacity_B = 1e12;
  spec.rack.chip.flops[hw::Precision::bf16] = 1e15;
  spec.rack.chip.flops[hw::Precision::fp8] = 2e15;  // FP8 but no MX path, like Trn2 or H100
  const fabric::Fabric f(spec);
  collective::Planner planner(f, f.spec().rack.chip.collectives);
  compute::Profile profile;
  const auto m = load("llama-3.1-8b");
  workload::Execution e;
  e.global_batch = 8, e.dp = 8;
  auto run = [&](const fabric::Fabric& fab, collective::Planner& p, workload::Precision prec) {
    auto x = e;
    x.precision = prec;
    return eval::evaluate({fab, p, profile}, m, x);
  };
  CHECK(run(f, planner, workload::Precision::fp8).feasible());
  for (auto prec : {workload::Precision::mxfp8, workload::Precision::mxfp4}) {
    const auto r = run(f, planner, prec);
    CHECK(r.reason == workload::Infeasibility::precision_unsupported);
    CHECK(r.detail.find(workload::precision_name(prec)) != std::string::npos);
  }
  spec.rack.chip.flops[hw::Precision::mxfp8] = 2e15;
  spec.rack.chip.flops[hw::Precision::mxfp4] = 4e15;
  const fabric::Fabric mx(spec);
  collective::Planner mx_planner(mx, mx.spec().rack.chip.collectives);
  const auto bf16 = run(mx, mx_planner, workload::Precision::bf16);
  const auto mxfp8 = run(mx, mx_planner, workload::Precision::mxfp8);
  const auto mxfp4 = run(mx, mx_planner, workload::Precision::mxfp4);
  REQUIRE(mxfp4.feasible());
  // Faster peak, fewer weight bytes: each narrower format takes less time per step.
  CHECK(mxfp8.step_time_s < bf16.step_time_s);
  CHECK(mxfp4.step_time_s < mxfp8.step_time_s);
}

TEST_CASE("placement: communicators and the siblings that run with them inside the rack") {
  // tp 4, dp 4, pp 2 over 32 ranks, 8 ranks per rack (span). DP groups of a stage run together:
  // rank 0's DP group {0, 4, 8, 12} has siblings at offsets 1-3 (the other TP ranks). TP groups
  // of every replica run together: offset 4 lies in the rack, 8 and 12 do not. Other stages are
  // at other points of the schedule: never siblings.
  workload::Execution e;
  e.tp = 4, e.dp = 4, e.pp = 2;
  const auto p = workload::place(e, 8);
  CHECK(p.dp.endpoints == std::vector<int>{0, 4, 8, 12});
  CHECK(p.dp.concurrent == std::vector<int>{1, 2, 3});
  CHECK(p.tp.endpoints == std::vector<int>{0, 1, 2, 3});
  CHECK(p.tp.concurrent == std::vector<int>{4});
  CHECK(p.pp_pair.endpoints == std::vector<int>{0, 16});
  auto sorted = [](std::vector<int> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  CHECK(sorted(p.pp_pair.concurrent) == std::vector<int>{1, 2, 3, 4, 5, 6, 7});
  CHECK(workload::place(e).dp.concurrent.empty());  // no span: each group alone
}

TEST_CASE("compute: GEMM efficiency interpolates the profile's curve in log(size)") {
  compute::Profile p;
  p.matmul_efficiency = 0.7;
  CHECK(compute::gemm_efficiency(p, 10, 10, 10) == 0.7);  // no curve: one efficiency for all
  p.matmul_curve = {{1024, 0.4}, {4096, 0.8}};
  CHECK(compute::gemm_efficiency(p, 2048, 2048, 2048) == doctest::Approx(0.6));  // halfway in log2
  CHECK(compute::gemm_efficiency(p, 1024, 4096, 2048) == doctest::Approx(0.6));  // cube root 2048
  CHECK(compute::gemm_efficiency(p, 512, 512, 512) == 0.4);                      // flat below
  CHECK(compute::gemm_efficiency(p, 8192, 8192, 8192) == 0.8);                   // and above
}

TEST_CASE("compute: 16-bit GEMMs run at the curve's fraction times the profile's BF16 factor") {
  compute::Profile p;
  p.matmul_curve = {{1024, 0.4}, {4096, 0.8}};  // measured in FP8, as Hopper's profiles are
  CHECK(compute::gemm_efficiency(p, 2048, 2048, 2048, true) == doctest::Approx(0.6));  // no factor: the same
  p.matmul_16bit_factor = 1.25;
  CHECK(compute::gemm_efficiency(p, 2048, 2048, 2048, true) == doctest::Approx(0.75));  // 0.6 x 1.25
  CHECK(compute::gemm_efficiency(p, 2048, 2048, 2048, false) == doctest::Approx(0.6));  // 8-bit: unchanged
  CHECK(compute::gemm_efficiency(p, 8192, 8192, 8192, true) == 1.0);                    // 0.8 x 1.25, at most peak
  // 1 TFLOP/s, a 1000^3 GEMM (2e9 FLOPs) below the curve: 2e9 / (1e12 x 0.5) = 4 ms in 16 bits,
  // 2e9 / (1e12 x 0.4) = 5 ms in 8 (memory negligible: 1 byte at 1 TB/s).
  const compute::RankRates fp8{1e12, 1e12, 1e12, false, false}, bf16{1e12, 1e12, 1e12, false, true};
  CHECK(compute::gemm_time(p, fp8, 1000, 1000, 1000, 1) == doctest::Approx(5e-3));
  CHECK(compute::gemm_time(p, bf16, 1000, 1000, 1000, 1) == doctest::Approx(4e-3));
}

TEST_CASE("compute: a GEMM's compute and memory times combine by the profile's roofline norm") {
  // 1 TFLOP/s and 1 TB/s, both at efficiency 0.5: a 1000^3 GEMM's 2e9 FLOPs take 4 ms, 1.5e9
  // bytes 3 ms; 1 ms of fixed cost on top.
  compute::Profile p;
  p.matmul_efficiency = 0.5, p.memory_efficiency = 0.5, p.matmul_overhead_s = 1e-3;
  const compute::RankRates r{1e12, 1e12, 1e12};
  CHECK(compute::gemm_time(p, r, 1000, 1000, 1000, 1.5e9) == doctest::Approx(4e-3 + 1e-3));  // max: 4 ms
  p.gemm_roofline_norm = 2;
  CHECK(compute::gemm_time(p, r, 1000, 1000, 1000, 1.5e9) == doctest::Approx(5e-3 + 1e-3));  // hypot(4, 3) = 5 ms
  p.gemm_roofline_norm = 1;
  CHECK(compute::gemm_time(p, r, 1000, 1000, 1000, 1.5e9) == doctest::Approx(7e-3 + 1e-3));  // no overlap: 4 + 3
  CHECK(compute::roofline_combine(3, 4, 0) == 4);
  CHECK(compute::roofline_combine(3, 4, 2) == doctest::Approx(5));
  CHECK(compute::roofline_combine(0, 0, 2) == 0);
  CHECK(compute::roofline_combine(3, 4, 64) == doctest::Approx(4).epsilon(0.01));  // large p -> the max
}

TEST_CASE("compute: unfused attention's batched GEMMs combine compute and memory as GEMMs do; flash takes the slower") {
  // 2 QK^T/AV kernels: 4e9 FLOPs at 1 TFLOP/s x 0.5 = 8 ms, 3e9 bytes at 1 TB/s x 0.5 = 6 ms, 1 ms
  // fixed cost each. Norm 2: hypot(8, 6) = 10 ms; flash: max = 8 ms whatever the norm.
  compute::Profile p;
  p.attention_efficiency = 0.5, p.memory_efficiency = 0.5, p.matmul_overhead_s = 1e-3, p.gemm_roofline_norm = 2;
  const compute::RankRates r{1e12, 1e12, 1e12};
  p.flash_attention = false;
  CHECK(compute::attention_time(p, r, 4e9, 3e9, 2) == doctest::Approx(10e-3 + 2e-3));
  p.flash_attention = true;
  CHECK(compute::attention_time(p, r, 4e9, 3e9, 2) == doctest::Approx(8e-3 + 2e-3));
}

TEST_CASE("compute: fused attention at another head dimension keeps the profile's factor for it, by hand") {
  // Factors at head dims 64 / 128 / 256: forward 0.6 / 1 / 0.9, causal 0.7 / 1 / 0.8, backward
  // 0.8 / 1 / 0.9. At 2k the curves give forward 0.5, causal share 0.65, backward 0.4 (as the case
  // below). Head dim 64: forward 0.5 x 0.6; causal 0.5 x 0.65 x 0.7 (the causal factor replaces the
  // forward's); the backward's time over the forward's 2.5 x (0.5 x 0.6) / (0.4 x 0.8). Head dim
  // 90.5 (halfway between 64 and 128 in log2): forward factor 0.8. Beyond 256 the factor holds;
  // no head dim given (0): the curves' own rate.
  compute::Profile p;
  p.attention_curve = {{1024, 0.4}, {4096, 0.6}};
  p.causal_curve = {{1024, 0.5}, {4096, 0.8}};
  p.attention_backward_curve = {{1024, 0.3}, {4096, 0.5}};
  p.head_dim_forward = {{64, 0.6}, {128, 1}, {256, 0.9}};
  p.head_dim_causal = {{64, 0.7}, {128, 1}, {256, 0.8}};
  p.head_dim_backward = {{64, 0.8}, {128, 1}, {256, 0.9}};
  CHECK(compute::attention_efficiency(p, 2048, false, 64) == doctest::Approx(0.5 * 0.6));
  CHECK(compute::attention_efficiency(p, 2048, true, 64) == doctest::Approx(0.5 * 0.65 * 0.7));
  CHECK(compute::attention_efficiency(p, 2048, false, 128) == doctest::Approx(0.5));
  CHECK(compute::attention_efficiency(p, 2048, false, 64 * std::sqrt(2.0)) == doctest::Approx(0.5 * 0.8));
  CHECK(compute::attention_efficiency(p, 2048, false, 512) == doctest::Approx(0.5 * 0.9));
  CHECK(compute::attention_efficiency(p, 2048, false, 0) == doctest::Approx(0.5));
  CHECK(eval::attention_backward(p, 2048, 64) == doctest::Approx(2.5 * (0.5 * 0.6) / (0.4 * 0.8)));
  CHECK(eval::attention_backward(p, 2048, 0) == doctest::Approx(2.5 * 0.5 / 0.4));
  // In a layer: the kernel's head dimension is the model's (MLA: its query/key parts, 128 + 64).
  workload::Execution e;
  CHECK(workload::layer_forward(load("llama-3.1-8b"), 0, e, 4096, true).attention_head_dim == 128);
  CHECK(workload::layer_forward(load("gpt-oss-120b"), 0, e, 4096, true).attention_head_dim == 64);
  CHECK(workload::layer_forward(load("deepseek-v3"), 0, e, 4096, true).attention_head_dim == 192);
}

TEST_CASE("compute: fused attention's efficiency against sequence length, its causal share and backward, by hand") {
  // Curves at 1k and 4k: forward 0.4 / 0.6 without a mask, a causal mask keeping 0.5 / 0.8 of it,
  // the backward 0.3 / 0.5. At 2k (halfway in log2): 0.5, causal 0.5 x 0.65, and the backward's
  // time over the forward's 2.5 x 0.5 / 0.4 = 3.125. Beyond the ends the curves hold flat.
  compute::Profile p;
  p.attention_efficiency = 0.6;
  p.attention_curve = {{1024, 0.4}, {4096, 0.6}};
  p.causal_curve = {{1024, 0.5}, {4096, 0.8}};
  p.attention_backward_curve = {{1024, 0.3}, {4096, 0.5}};
  CHECK(compute::attention_efficiency(p, 2048, false) == doctest::Approx(0.5));
  CHECK(compute::attention_efficiency(p, 2048, true) == doctest::Approx(0.5 * 0.65));
  CHECK(compute::attention_efficiency(p, 512, true) == doctest::Approx(0.4 * 0.5));
  CHECK(compute::attention_efficiency(p, 0, true) == 0.6);  // no length given: the single efficiency
  CHECK(eval::attention_backward(p, 2048) == doctest::Approx(2.5 * 0.5 / 0.4));
  CHECK(eval::attention_backward(p, 16384) == doctest::Approx(2.5 * 0.6 / 0.5));
  // 1 PFLOP/s: 1e12 causal FLOPs at 2k take 1 / (0.5 x 0.65) ms.
  const compute::RankRates r{1e15, 1e30, 1e15};
  CHECK(compute::attention_time(p, r, 1e12, 0, 1, 2048, true) == doctest::Approx(1e-3 / 0.325));
  // In a layer: the rank's local sequence (seq / cp) and the causal mask of flash attention.
  const workload::ModelSpec m = load("llama-3.1-8b");
  workload::Execution e;
  e.cp = 2;
  const workload::LayerWork w = workload::layer_forward(m, 0, e, 8192, true);
  CHECK(w.attention_seq == 4096);
  CHECK(w.attention_causal);
  CHECK_FALSE(workload::layer_forward(m, 0, e, 8192, false).attention_causal);
}

TEST_CASE("compute: fp8 quantization kernels run at the profile's cast efficiency, else the elementwise one") {
  // 1 TB/s: 3e9 bytes at cast efficiency 0.5 take 6 ms, plus 1 ms per kernel; without a cast
  // efficiency, at the elementwise 0.75: 4 ms.
  compute::Profile p;
  p.memory_efficiency = 0.75, p.elementwise_overhead_s = 1e-3;
  const compute::RankRates r{1e12, 1e12, 1e12};
  CHECK(compute::cast_time(p, r, 3e9, 2) == doctest::Approx(4e-3 + 2e-3));
  p.cast_efficiency = 0.5;
  CHECK(compute::cast_time(p, r, 3e9, 2) == doctest::Approx(6e-3 + 2e-3));
  CHECK(compute::elementwise_time(p, r, 3e9, 2) == doctest::Approx(4e-3 + 2e-3));  // other kernels unchanged
  // In a layer: Llama 3.1 8B in fp8 on a chip of 1 PFLOP/s and 1 TB/s, GEMMs at peak, no
  // overheads; halving the cast efficiency adds the casts' time once more, forward and backward.
  const workload::ModelSpec m = load("llama-3.1-8b");
  workload::Execution e;
  e.precision = workload::Precision::fp8;
  const workload::LayerWork w = workload::layer_forward(m, 0, e, m.seq, true);
  compute::Profile q;
  q.memory_efficiency = 1, q.cast_efficiency = 1;
  const compute::RankRates rate{1e15, 1e12, 1e15};
  const eval::LayerTimes full = eval::layer_times(w, q, rate, workload::Recompute::none, 0);
  q.cast_efficiency = 0.5;
  const eval::LayerTimes half = eval::layer_times(w, q, rate, workload::Recompute::none, 0);
  CHECK(half.fwd - full.fwd == doctest::Approx(w.casts.bytes / 1e12));
  CHECK(half.bwd - full.bwd == doctest::Approx(w.cast_backward.bytes / 1e12));
}

TEST_CASE("compute: MX (block-scaled) GEMMs and quantization at the profile's block-scaled efficiencies") {
  // 1 PFLOP/s, HBM out of the way: a 4096^3 GEMM (1.37e11 FLOPs) at efficiency 0.5 takes
  // 0.275 ms per-tensor scaled, and 1 / 0.95 of that block-scaled at block_scaled_efficiency 0.95.
  compute::Profile p;
  p.matmul_efficiency = 0.5;
  p.block_scaled_efficiency = 0.95;
  compute::RankRates r{1e15, 1e30, 1e15};
  const double flops = 2.0 * 4096 * 4096 * 4096;
  CHECK(compute::gemm_time(p, r, 4096, 4096, 4096, 0) == doctest::Approx(flops / 0.5e15));
  r.block_scaled = true;
  CHECK(compute::gemm_time(p, r, 4096, 4096, 4096, 0) == doctest::Approx(flops / (0.5e15 * 0.95)));
  // Quantization at 1 TB/s: 3e9 bytes at the block cast efficiency 0.3 take 10 ms; without one,
  // at the per-tensor cast efficiency 0.5 (6 ms); per-tensor GEMMs never use the block figure.
  const compute::RankRates hbm{1e12, 1e12, 1e12, true};
  p.cast_efficiency = 0.5;
  CHECK(compute::cast_time(p, hbm, 3e9, 0) == doctest::Approx(6e-3));
  p.block_cast_efficiency = 0.3;
  CHECK(compute::cast_time(p, hbm, 3e9, 0) == doctest::Approx(10e-3));
  CHECK(compute::cast_time(p, compute::RankRates{1e12, 1e12, 1e12}, 3e9, 0) == doctest::Approx(6e-3));
}

TEST_CASE("workload: unfused softmax and dropout bytes on the scores, with the dropout's 1-byte mask, by hand") {
  // GPT 1.7B (hidden 2304, 24 heads, dropout), s = 2048, micro-batch 1, TP 2: 12 heads per rank,
  // 12 x 2048^2 scores. Softmax reads and writes them (2 + 2 bytes), dropout reads them and writes
  // its output and mask (2 + 2 + 1): 9 bytes each, in 2 kernels.
  const workload::ModelSpec m = load("megatron-gpt-1.7b");
  REQUIRE(m.dropout);
  workload::Execution e;
  e.tp = 2, e.micro_batch = 1;
  const double scores = 12.0 * 2048 * 2048;
  const workload::LayerWork w = workload::layer_forward(m, 0, e, 2048, false);
  CHECK(w.score_elementwise.bytes == doctest::Approx(9 * scores));
  CHECK(w.score_elementwise.kernels == 2);
  // Without dropout: the softmax alone, 4 bytes each.
  workload::ModelSpec no_dropout = m;
  no_dropout.dropout = false;
  CHECK(workload::layer_forward(no_dropout, 0, e, 2048, false).score_elementwise.bytes == doctest::Approx(4 * scores));
  // Flash attention keeps no scores.
  CHECK(workload::layer_forward(m, 0, e, 2048, true).score_elementwise.bytes == 0);
}

TEST_CASE("workload: RoPE reads and writes the rank's queries and keys once, in a kernel each, by hand") {
  // Llama 3.1 8B (32 heads, 8 KV heads of 128), s = 8192, micro-batch 1, TP 4: 8 query heads and 2
  // KV heads per rank, (1024 + 256) x 8192 elements read and written at 2 bytes; 2 kernels forward
  // and 2 backward. A learned position embedding (GPT) rotates nothing.
  const workload::ModelSpec m = load("llama-3.1-8b");
  REQUIRE(workload::rotary_positions(m));
  workload::ModelSpec learned = m;
  learned.learned_positions = true;
  workload::Execution e;
  e.tp = 4, e.micro_batch = 1;
  const workload::LayerWork rope = workload::layer_forward(m, 0, e, 8192, true);
  const workload::LayerWork none = workload::layer_forward(learned, 0, e, 8192, true);
  CHECK(rope.elementwise.bytes - none.elementwise.bytes == doctest::Approx(2.0 * 2 * 8192 * (1024 + 256)));
  CHECK(rope.elementwise.kernels - none.elementwise.kernels == 2);
  CHECK(rope.backward_kernels - none.backward_kernels == 2);
  // DeepSeek-V3's MLA rotates only its decoupled part: 128 heads x 64 of the query and one shared
  // 64-wide key; at TP 4, (32 + 1) x 64 per token.
  const workload::ModelSpec ds = load("deepseek-v3");
  workload::ModelSpec ds_learned = ds;
  ds_learned.learned_positions = true;
  const double diff = workload::layer_forward(ds, 0, e, 4096, true).elementwise.bytes -
                      workload::layer_forward(ds_learned, 0, e, 4096, true).elementwise.bytes;
  CHECK(diff == doctest::Approx(2.0 * 2 * 4096 * (32 + 1) * 64));
}

TEST_CASE("step: TP backward collectives hide behind the gradient GEMMs, less the compute they take") {
  // Llama 3.1 8B on 8 ranks, tp 8 with sequence parallelism, one micro-batch, no recompute. Per
  // layer: forward 2 all-gathers (ag) + 2 reduce-scatters (rs); backward 2 ag for the row-parallel
  // GEMMs' output gradients, and per block (attention, FFN) a re-gather behind the data-gradient
  // GEMM and a reduce-scatter behind the weight-gradient GEMM. On a 1 TFLOP/s chip those GEMMs
  // outlast the collectives, so each hidden one costs only `share` of itself:
  // not overlapped: L (6 ag + 4 rs); overlapped: L (4 ag + 2 rs + 2 share (ag + rs)).
  hw::ClusterSpec spec = test::switch_cluster(8);
  spec.rack.chip.hbm_capacity_B = 1e13;
  spec.rack.chip.flops[hw::Precision::bf16] = 1e12;
  const fabric::Fabric f(spec);
  collective::Planner planner(f, f.spec().rack.chip.collectives);
  compute::Profile profile;
  const auto m = load("llama-3.1-8b");
  workload::Execution e;
  e.tp = 8, e.global_batch = 1, e.sequence_parallel = true;
  const double bytes = 1.0 * m.seq * m.hidden * 2;
  const auto tp = workload::place(e).tp;
  const double ag = planner.best(collective::Op::allgather, tp, bytes)->time_s;
  const double rs = planner.best(collective::Op::reducescatter, tp, bytes)->time_s;
  auto tp_comm = [&](const workload::Execution& x) { return eval::evaluate({f, planner, profile}, m, x).breakdown[eval::Term::tp_comm]; };
  auto off = e;
  off.overlap_tp_backward = false;
  CHECK(tp_comm(off) == doctest::Approx(m.layers * (6 * ag + 4 * rs)));
  CHECK(tp_comm(e) == doctest::Approx(m.layers * (4 * ag + 2 * rs)));
  const double share = 0.125;
  spec.rack.chip.collectives.overlap_compute_share = share;
  const fabric::Fabric gpu(spec);
  collective::Planner gpu_planner(gpu, gpu.spec().rack.chip.collectives);
  CHECK(eval::evaluate({gpu, gpu_planner, profile}, m, e).breakdown[eval::Term::tp_comm] ==
        doctest::Approx(m.layers * (4 * ag + 2 * rs + 2 * share * (ag + rs))));
}

TEST_CASE("derived dp: the degree that fills the cluster, as sweeps and step use it") {
  workload::Execution e;
  e.tp = 32, e.pp = 16;
  CHECK(workload::derived_dp(16384, e) == 32);
  e.cp = 2;
  CHECK(workload::derived_dp(16384, e) == 16);
  e.tp = 3;  // 16384 = 2^14 is not a multiple of 3 * 2 * 16
  CHECK(workload::derived_dp(16384, e) == 0);
}

TEST_CASE("placement: expert TP below TP folds EP over the TP ranks, and the EP group cut by racks") {
  // tp 2, dp 8, pp 2 over 32 ranks (16 per stage), 8 ranks per rack. With etp = tp (the default)
  // EP 4 is carved out of DP: rank 0's EP group {0, 2, 4, 6}, experts replicated over dp / ep = 2.
  workload::Execution e;
  e.tp = 2, e.dp = 8, e.pp = 2, e.ep = 4;
  auto p = workload::place_shapes(e, 8);
  CHECK(collective::materialize(p.ep).endpoints == std::vector<int>{0, 2, 4, 6});
  CHECK(collective::materialize(p.etp).endpoints == std::vector<int>{0, 1});
  CHECK(workload::expert_replicas(e) == 2);
  // etp 1, EP 8 (MoE parallel folding): the expert grid over the stage's 16 ranks, etp innermost,
  // then ep: EP {0 .. 7} (both TP ranks of four replicas), expert replicas 16 / (1 x 8) = 2 at
  // stride 8, no expert TP gather (a group of one).
  e.etp = 1, e.ep = 8;
  CHECK(workload::expert_replicas(e) == 2);
  p = workload::place_shapes(e, 8);
  CHECK(collective::materialize(p.ep).endpoints == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(collective::materialize(p.edp).endpoints == std::vector<int>{0, 8});
  CHECK(collective::materialize(p.etp).endpoints == std::vector<int>{0});
  // One rack holds the whole EP group: no rail.
  CHECK(p.ep_racks == 1);
  CHECK(collective::materialize(p.ep_local).endpoints == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
  // EP 16 spans the stage's two racks: 8 members in rank 0's rack, the rail {0, 8} across them,
  // run by every rank of the rack at once (siblings at offsets 1 .. 7).
  e.ep = 16;
  p = workload::place_shapes(e, 8);
  CHECK(p.ep_racks == 2);
  CHECK(collective::materialize(p.ep_local).endpoints == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7});
  const collective::Group rail = collective::materialize(p.ep_rail);
  CHECK(rail.endpoints == std::vector<int>{0, 8});
  CHECK(rail.concurrent == std::vector<int>{1, 2, 3, 4, 5, 6, 7});
  // Racks of 6 ranks cut EP 16 into unequal runs: no split.
  CHECK(workload::place_shapes(e, 6).ep_racks == 0);
}

TEST_CASE("workload: a sliding window's attention by hand, and stages with different window counts summed apart") {
  // Llama 3.1 8B at s = 8192, micro-batch 1, TP 1: QK^T and AV over the whole sequence are
  // 2 x 2 x 8192^2 x 4096 FLOPs; causal, half. A 1,024-token window in every other layer (layers
  // 0, 2, ...): a query sees min(i + 1, 1024) keys, 1024 - 1024 x 1023 / (2 x 8192) = 960.0625 on
  // average, so the window layer does 960.0625 / 8192 of the full product, at the rate of a causal
  // kernel over 1,024 tokens.
  workload::ModelSpec m = load("llama-3.1-8b");
  m.sliding_window = {1024, 2, 1};
  workload::Execution e;
  e.micro_batch = 1;
  const double product = 4.0 * 8192 * 8192 * 4096;
  const workload::LayerWork window = workload::layer_forward(m, 0, e, 8192, true);
  const workload::LayerWork full = workload::layer_forward(m, 1, e, 8192, true);
  CHECK(workload::is_window_layer(m, 0));
  CHECK_FALSE(workload::is_window_layer(m, 1));
  CHECK(full.attention.flops == doctest::Approx(product / 2));
  CHECK(full.attention_seq == 8192);
  CHECK(window.attention.flops == doctest::Approx(product * 960.0625 / 8192));
  CHECK(window.attention_seq == 1024);
  CHECK(window.attention_causal);
  CHECK(window.attention.bytes == full.attention.bytes);  // Q, K, V and the output once either way
  // Window layers below n: layers 0, 2, 4, 6, 8 below 9; Gemma 3's 5 local of every 6: 10 below 12.
  CHECK(workload::window_layers_below(m, 9) == 5);
  workload::ModelSpec five_of_six = m;
  five_of_six.sliding_window = {1024, 6, 1};
  CHECK(workload::window_layers_below(five_of_six, 12) == 10);
  CHECK(workload::window_layers_below(five_of_six, 14) == 12);
  // Layers 0-2 hold two window layers, layers 3-5 one: same length and kind, summed apart.
  workload::StageSums<int> sums(m);
  auto windows = [&](int first, int last) {
    return sums(first, last, [&] {
      int n = 0;
      for (int l = first; l < last; ++l) n += workload::is_window_layer(m, l);
      return n;
    });
  };
  CHECK(windows(0, 3) == 2);
  CHECK(windows(3, 6) == 1);
  CHECK(windows(6, 9) == 2);
}

TEST_CASE("workload: squared-ReLU FFN (Nemotron-4) has GeLU's two matrices and costs as GeLU") {
  // relu(x)^2 and GeLU are both an elementwise activation between an up and a down matrix whose
  // backward needs the activation's input: parameters, FLOPs, bytes and kept activations agree.
  const auto m = load("nemotron-4-340b");
  REQUIRE(m.activation == workload::Activation::squared_relu);
  CHECK(workload::ffn_matrices(m) == 2);
  auto gelu = m;
  gelu.activation = workload::Activation::gelu;
  CHECK(workload::total_params(m) == workload::total_params(gelu));
  workload::Execution e;
  e.tp = 8;
  e.sequence_parallel = true;
  const auto a = workload::layer_forward(m, 0, e, 4096, true), b = workload::layer_forward(gelu, 0, e, 4096, true);
  CHECK(a.matmul.flops == b.matmul.flops);
  CHECK(a.elementwise.bytes == b.elementwise.bytes);
  CHECK(workload::layer_activation_bytes(m, 0, e, 4096, true) == workload::layer_activation_bytes(gelu, 0, e, 4096, true));
  // A layer: QKV h (h + 2 x 8 x 192), projection h^2, FFN 2 h f, two LayerNorms (scale and bias).
  const double h = 18432, f = 73728;
  CHECK(workload::layer_params(m, 0).total() == doctest::Approx(h * (h + 2 * 8 * 192) + h * h + 2 * h * f + 4 * h));
}
