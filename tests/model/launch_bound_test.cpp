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
