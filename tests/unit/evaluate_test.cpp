// evaluate() (eval/evaluate.cpp) in closed form: on one ideal chip (GEMM and attention
// efficiency 1, no kernel overheads, HBM so fast that memory-bound kernels take no time) a step
// takes exactly its executed FLOPs at peak, and recompute adds exactly what it re-executes.
#include <doctest/doctest.h>

#include "eval/evaluate.hpp"
#include "io/model_reader.hpp"
#include "test_clusters.hpp"
#include "workload/layer_work.hpp"

using namespace rackscope;

namespace {
hw::ClusterSpec ideal_chip() {
  hw::ClusterSpec spec = test::switch_cluster(1);
  spec.rack.chip.flops[hw::Precision::bf16] = 1e15;
  spec.rack.chip.hbm_bandwidth_Bps = 1e30;  // elementwise, attention and GEMM bytes: ~0 s
  spec.rack.chip.hbm_capacity_B = 1e15;
  return spec;
}
}  // namespace

TEST_CASE("evaluate: one ideal chip runs a step's executed FLOPs at peak") {
  const fabric::Fabric f(ideal_chip());
  collective::Planner planner(f, f.spec().rack.chip.collectives);
  const compute::Profile profile;  // efficiencies 1, overheads 0, flash attention
  REQUIRE(profile.flash_attention);
  io::InputFiles files;
  const auto m = io::read_model(std::string(RACKSCOPE_SOURCE_DIR) + "/workloads/models/llama-3.1-8b.toml", {}, files);
  workload::Execution e;
  e.global_batch = 4, e.micro_batch = 2;  // 2 micro-batches
  const int seq = m.seq;
  const double peak = 1e15;
  // Per micro-batch: every layer's GEMMs forward once and backward twice (data and weight
  // gradients), flash attention forward once and backward 2.5 times (it recomputes the scores),
  // the output head's GEMMs three times.
  double gemm = 0, attention = 0;
  for (int l = 0; l < m.layers; ++l) {
    const auto w = workload::layer_forward(m, l, e, seq, true);
    gemm += w.matmul.flops;
    attention += w.attention.flops;
  }
  const double head = workload::head_forward(m, e, seq).matmul.flops;
  const double per_micro_batch = (3 * gemm + 3.5 * attention + 3 * head) / peak;

  const auto none = eval::evaluate({f, planner, profile}, m, e);
  REQUIRE(none.feasible());
  CHECK(none.micro_batches == 2);
  CHECK(none.step_time_s == doctest::Approx(2 * per_micro_batch).epsilon(1e-9));
  CHECK(none.tokens_per_s == doctest::Approx(4.0 * seq / (2 * per_micro_batch)).epsilon(1e-9));
  // The compute term by kernel class: the GEMMs' and the attention core's FLOPs at peak, nothing
  // else (elementwise and quantization bytes take ~0 s here, the host no time).
  using eval::KernelClass;
  CHECK(none.compute_split[KernelClass::gemm] == doctest::Approx(2 * 3 * (gemm + head) / peak).epsilon(1e-9));
  CHECK(none.compute_split[KernelClass::attention] == doctest::Approx(2 * 3.5 * attention / peak).epsilon(1e-9));
  CHECK(none.compute_split[KernelClass::elementwise] < 1e-12);
  CHECK(none.compute_split[KernelClass::quantization] == 0);
  CHECK(none.compute_split[KernelClass::launch_bound] == 0);
  CHECK(none.compute_split.total() == doctest::Approx(none.breakdown[eval::Term::compute]).epsilon(1e-12));
  // Selective recompute re-runs the attention core forward; full recompute the layers' forward.
  auto with = [&](workload::Recompute r) {
    auto x = e;
    x.recompute = r;
    return eval::evaluate({f, planner, profile}, m, x).step_time_s;
  };
  CHECK(with(workload::Recompute::selective) - none.step_time_s == doctest::Approx(2 * attention / peak).epsilon(1e-9));
  CHECK(with(workload::Recompute::full) - none.step_time_s == doctest::Approx(2 * (gemm + attention) / peak).epsilon(1e-9));
  // MFU counts the model's FLOPs (6N + 12 L h s per token, non-causal) over the same time.
  CHECK(none.mfu == doctest::Approx(none.model_flops / none.step_time_s / peak).epsilon(1e-12));
}
