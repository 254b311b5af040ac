// Launch-bound regime (eval/layer_cost.cpp, workload/layer_work.cpp backward_kernels) against
// kernel counts derived by hand from Megatron-LM's GPT layer (project issue 12, capability 5).
#include <doctest/doctest.h>

#include "collective/select.hpp"
#include "eval/evaluate.hpp"
#include "workload/layer_work.hpp"
#include "../unit/test_clusters.hpp"
#include "../unit/test_models.hpp"

using namespace rackscope;

namespace {
// A tiny GPT as Megatron-LM trains it (biases, LayerNorm, dropout, GeLU): 2 layers of hidden 64,
// 128 tokens. Its kernels take microseconds on any chip, so host dispatch decides.
workload::ModelSpec tiny_gpt() {
  workload::ModelSpec m = test::transformer("tiny-gpt", 2, 64, 256, 4, 4, 16, 512, 128);
  m.biases = true, m.dropout = true, m.tied_embeddings = true, m.learned_positions = true;
  return m;
}

// One chip of 1 PFLOP/s and 1 PB/s, no kernel overheads: the tiny model's device time is far
// under a microsecond per kernel.
hw::ClusterSpec one_fast_chip() {
  hw::ClusterSpec spec = test::switch_cluster(1);
  spec.rack.chip.flops[workload::Precision::bf16] = 1e15;
  spec.rack.chip.hbm_bandwidth_Bps = 1e15;
  spec.rack.chip.hbm_capacity_B = 1e15;
  return spec;
}

compute::Profile unfused(double host_per_kernel) {
  compute::Profile p;
  p.flash_attention = false;  // Megatron-LM 2022: baddbmm, fused softmax, dropout, bmm
  p.host_per_kernel_s = host_per_kernel;
  return p;
}
}  // namespace

TEST_CASE("launch-bound: a GPT layer issues 15 kernels forward and 39 backward (Megatron-LM, by hand)") {
  // Forward: 2 LayerNorms, the QKV GEMM and its bias add, baddbmm, the fused softmax, dropout, bmm,
  // the context's permute().contiguous(), the output, FC1 and FC2 GEMMs, bias-GeLU, 2
  // bias-dropout-adds: 15 (the model's split: 4 GEMMs + 2 batched GEMMs + 9 elementwise).
  // Backward: 4 GEMMs x (data, weight) = 8; 4 bias reductions; 2 LayerNorms x 3 = 6; 2 residual
  // sums; 2 bias-dropout-add backwards; bias-GeLU's backward; attention: 2 x 2 batched GEMMs,
  // softmax and dropout backwards, the permute's copy, the QKV split's concatenation = 8; main_grad
  // accumulation of 4 LayerNorm parameters and 4 biases = 8: 39.
  workload::Execution e;
  const auto w = workload::layer_forward(tiny_gpt(), 0, e, 128, false);
  CHECK(w.gemms.size() + w.attention.kernels + w.elementwise.kernels == 15);
  CHECK(w.backward_kernels == 39);
  // Flash attention: one kernel forward; backward FlashAttention-2's 3 (dot(dO, O), main, dQ
  // conversion) instead of the unfused 7, so 39 - 7 + 3 = 35.
  CHECK(workload::layer_forward(tiny_gpt(), 0, e, 128, true).backward_kernels == 35);
  // The head with Megatron-Core's fused cross-entropy (the default): one GEMM and the loss's four
  // kernels (fp32 cast, max, the fused subtract-exp-sum, divide) forward; the GEMM's two
  // gradients and the loss's two (the fused gradient, the cast back) backward.
  const auto head = workload::head_forward(tiny_gpt(), e, 128);
  CHECK(head.gemms.size() + head.elementwise.kernels + head.loss.kernels == 5);
  CHECK(head.backward_kernels == 4);
}

TEST_CASE("launch-bound: the host's dispatch sets the step when it exceeds device time; graph capture removes it") {
  const fabric::Fabric f(one_fast_chip());
  collective::Planner planner(f, f.spec().rack.chip.collectives);
  const auto m = tiny_gpt();
  workload::Execution e;
  e.micro_batch = 1, e.global_batch = 1;
  // At 1 ms per kernel the host takes, per micro-batch, 2 layers x (15 + 39) ms and the head's
  // (5 + 4) ms: 117 ms, against a device time of microseconds.
  const double host = 1e-3;
  const auto eager = eval::evaluate({f, planner, unfused(host)}, m, e);
  REQUIRE(eager.feasible());
  CHECK(eager.breakdown[eval::Term::compute] == doctest::Approx((2 * (15 + 39) + 5 + 4) * host));
  // `step`'s compute by kernel: the kernels' own time, and the rest of the host's 117 ms waiting.
  CHECK(eager.compute_split.total() == doctest::Approx(eager.breakdown[eval::Term::compute]).epsilon(1e-12));
  CHECK(eager.compute_split[eval::KernelClass::launch_bound] ==
        doctest::Approx(eager.breakdown[eval::Term::compute] - eval::evaluate({f, planner, unfused(0)}, m, e).breakdown[eval::Term::compute])
            .epsilon(1e-9));
  // Graph-captured: the device time alone, as with no host cost at all, and far under 1 ms.
  const auto device = eval::evaluate({f, planner, unfused(0)}, m, e).breakdown[eval::Term::compute];
  e.graph_capture = true;
  CHECK(eval::evaluate({f, planner, unfused(host)}, m, e).breakdown[eval::Term::compute] == device);
  CHECK(eval::evaluate({f, planner, unfused(host)}, m, e).compute_split[eval::KernelClass::launch_bound] == 0);
  CHECK(device < 1e-4);
  // A host faster than the device changes nothing: max(device, host x kernels) per pass.
  e.graph_capture = false;
  CHECK(eval::evaluate({f, planner, unfused(1e-12)}, m, e).breakdown[eval::Term::compute] == device);
}

TEST_CASE("eager elementwise: RMSNorm, RoPE and SwiGLU as TorchTitan's eager PyTorch ops (by hand)") {
  // A Llama layer (RMSNorm, RoPE, SwiGLU; GQA: 4 query heads, 2 KV heads of 16): hidden 64, FFN
  // 256, 128 tokens, no TP. Eager execution adds, per element, what the fused kernels do not move:
  // each RMSNorm 36 - 4 = 32 bytes and 8 - 1 = 7 kernels; RoPE on Q (64 wide) and K (32 wide)
  // 20 - 4 = 16 bytes and 3 - 1 = 2 kernels each; SwiGLU 10 - 6 = 4 bytes per FFN element and
  // 2 - 1 = 1 kernel. Backward kernels: 2 x (10 - 3) + 2 x (3 - 1) + (3 - 1) = 20 more.
  workload::ModelSpec m = test::transformer("tiny-llama", 2, 64, 256, 4, 2, 16, 512, 128);
  m.norm = workload::Norm::rmsnorm, m.activation = workload::Activation::swiglu;
  workload::Execution fused;
  workload::Execution eager = fused;
  eager.eager_elementwise = true;
  const auto f = workload::layer_forward(m, 0, fused, 128, true);
  const auto g = workload::layer_forward(m, 0, eager, 128, true);
  const double tokens = 128, h = 64, q = 64, kv = 32, ffn = 256;
  CHECK(g.elementwise.bytes - f.elementwise.bytes == doctest::Approx(2 * 32 * tokens * h + 16 * tokens * (q + kv) + 4 * tokens * ffn));
  CHECK(g.elementwise.kernels - f.elementwise.kernels == 2 * 7 + 2 * 2 + 1);
  CHECK(g.backward_kernels - f.backward_kernels == 20);
  CHECK(g.matmul.flops == doctest::Approx(f.matmul.flops));  // the GEMMs do not change
  // LayerNorm (F.layer_norm, one kernel in eager PyTorch too), learned positions and GeLU: nothing to add.
  const auto gpt = tiny_gpt();
  CHECK(workload::layer_forward(gpt, 0, eager, 128, true).elementwise.bytes ==
        doctest::Approx(workload::layer_forward(gpt, 0, fused, 128, true).elementwise.bytes));
}
