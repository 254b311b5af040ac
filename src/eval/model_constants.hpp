#pragma once
// Ratios of backward to forward work that evaluate() assumes, each with where it comes from.
namespace rackscope::eval {

// A GEMM's backward runs a data-gradient and a weight-gradient GEMM, each of its forward's size
// (Narayanan et al. 2021, sec. 5.1: backward = 2x forward FLOPs).
inline constexpr double gemm_backward_factor = 2;
// Fused (FlashAttention-2) attention backward recomputes the scores: 5 matmuls against the
// forward's 2, 2.5x its work (Dao 2023, FlashAttention-2, sec. 4.1). Ring attention (CP) runs
// the same blockwise kernels, so its backward window is as long.
inline constexpr double flash_attention_backward_factor = 2.5;
// Unfused attention keeps the scores: dV, dP, dQ and dK, 4 matmuls against the forward's 2.
inline constexpr double attention_backward_factor = 2;
// Elementwise backward reads the saved input and the output gradient and writes the input
// gradient: twice the forward's bytes.
inline constexpr double elementwise_backward_factor = 2;

}  // namespace rackscope::eval
