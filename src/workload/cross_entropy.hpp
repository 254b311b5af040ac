#pragma once
// The loss over the vocabulary as Megatron-Core runs it, one row per implementation: the HBM
// traffic per logit of its forward and backward (bytes at the profile's elementwise rate), the
// kernels each pass issues, and the bytes per logit it keeps from the forward for the backward.
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "workload/execution.hpp"

namespace rackscope::workload {

// Rows in CrossEntropy's order.
struct CrossEntropyCost {
  const char* name;          // the knob's value (`step --cross-entropy`)
  double forward_bytes;      // per logit, forward
  double backward_bytes;     // per logit, backward (the logits' gradient written)
  int forward_kernels, backward_kernels;
  double kept_bytes;         // per logit, held from the forward until the backward
};

// Unfused and fused: Liger-Kernel's H100 benchmark of Megatron-Core's own two paths
// (benchmark/scripts/benchmark_megatron_cross_entropy.py, data/all_benchmark_data_megatron.csv:
// bf16 logits [2048, 4, 131072], 1.07e9 of them, on one H100 80GB HBM3; median times):
// vocab_parallel_cross_entropy forward 15.82 ms, forward + backward 21.25 ms; the TorchScript-
// fused fused_vocab_parallel_cross_entropy 11.80 and 17.95 ms. Each time as bytes per logit at
// the H100 profile's elementwise rate (0.87 x 3.35 TB/s): unfused 42.9 + 14.7, fused 32.0 + 16.7.
// Both cast the logits to fp32 and keep the fp32 softmax for the backward
// (megatron/core/tensor_parallel/cross_entropy.py, fusions/fused_cross_entropy.py): 4 bytes.
// Kernels: unfused float cast, max, subtract, exp, sum, target gather, divide; backward the
// target's subtract, the scale by the loss gradient and the cast back; fused: cast, max, the
// fused subtract-exp-sum, divide; backward the fused gradient and the cast.
// Transformer Engine (cross_entropy_fusion_impl te; transformer_engine/pytorch/triton/
// cross_entropy.py): an online-softmax pass reads the bf16 logits once (2 bytes) and a second
// kernel writes each row's loss; the backward reads them again and writes the gradient in place
// (4 bytes); it keeps the bf16 logits (2 bytes). A pass of that kind reaches the HBM rate: Liger's
// kernel of the same design (read twice, gradient written in place: 6 bytes per logit) took
// 2.11 ms forward in the same benchmark, 91% of HBM peak.
inline constexpr std::array<CrossEntropyCost, 3> cross_entropy_costs = {{
    {"unfused", 42.9, 14.7, 7, 3, 4},
    {"fused", 32.0, 16.7, 4, 2, 4},
    {"te", 2, 4, 2, 1, 2},
}};
static_assert(static_cast<std::size_t>(CrossEntropy::te) + 1 == cross_entropy_costs.size(), "one row per CrossEntropy");

inline const CrossEntropyCost& cross_entropy_cost(CrossEntropy k) { return cross_entropy_costs[static_cast<std::size_t>(k)]; }

// The knob's values, in CrossEntropy's order.
inline std::vector<std::string> cross_entropy_names() {
  std::vector<std::string> names;
  for (const CrossEntropyCost& c : cross_entropy_costs) names.push_back(c.name);
  return names;
}

}  // namespace rackscope::workload
