#pragma once
// How well a chip's software stack uses its peak: efficiencies and per-kernel costs measured by
// the chip's own microbenchmarks (a compute_profile file per chip and stack, named by the chip).
#include <string>
#include <utility>
#include <vector>

namespace rackscope::hw {

struct ComputeProfile {
  std::string name, file;             // empty file: the chip names no profile
  double matmul_efficiency = 1;       // large-GEMM fraction of dense peak (cuBLAS / NKI benchmark)
  // GEMM efficiency against size, (cube root of m*n*k, efficiency) from the chip's GEMM benchmark,
  // interpolated in log(size) (compute::gemm_efficiency); empty: matmul_efficiency at every size.
  std::vector<std::pair<double, double>> matmul_curve;
  // 16-bit (BF16) GEMMs' fraction of their peak over the curve's, where the benchmark above ran
  // in FP8 (Hopper's): from one benchmark of both precisions at the same shapes; 1: the same.
  double matmul_16bit_factor = 1;
  double matmul_overhead_s = 0;       // fixed cost per GEMM kernel (launch, tile tail)
  // 8-bit GEMMs with MX block scales (mxfp8, mxfp4): the fraction of the per-tensor-scaled
  // kernels' rate they reach at the same shapes (scale factors loaded and applied per block),
  // from a benchmark of both on pre-quantized inputs; 1: no penalty.
  double block_scaled_efficiency = 1;
  // How a GEMM's compute and HBM times combine: 0, the roofline's max (loads hidden entirely
  // behind the tensor cores); p >= 1, (compute^p + memory^p)^(1/p), the partial overlap a GEMM
  // near the ridge gets (p = 1: none). Calibrated on the GEMM benchmark's thin shapes.
  double gemm_roofline_norm = 0;
  bool flash_attention = true;        // fused attention: no s^2 score tensors in HBM, causal blocks skipped
  double attention_efficiency = 1;    // fused attention kernel FLOP efficiency (fraction of peak)
  // Fused attention's efficiency against the sequence length its kernel runs over, without a causal
  // mask, as FlashAttention's benchmarks publish it (interpolated in log(length) as the GEMM curve;
  // empty: attention_efficiency at every length), and what a causal mask keeps of that rate (the
  // causal benchmark's rate, FLOPs halved, over the non-causal one; empty: all of it). Diagonal
  // tiles half masked and the uneven work per query block cost most at short sequences.
  std::vector<std::pair<double, double>> attention_curve, causal_curve;
  // The backward kernel's efficiency against the same lengths, without a mask (its FLOPs 2.5x the
  // forward's); empty: attention_backward_factor. Under a causal mask the backward is taken to
  // lose what the forward loses (no causal backward benchmark is published).
  std::vector<std::pair<double, double>> attention_backward_curve;
  // What the kernel keeps of those rates at another head dimension (the QK^T inner size), against
  // the head dimension (interpolated in log(head dim), flat beyond the measured ends; the curves
  // above are those of the reference head dimension, factor 1): without a mask, under the causal
  // mask (replacing the forward factor there) and in the backward. Empty: the same at every head
  // dimension. Small heads give each tile less work per load of K and V.
  std::vector<std::pair<double, double>> head_dim_forward, head_dim_causal, head_dim_backward;
  // Attention backward time over forward time at the same efficiency; 0: the kernel's FLOP ratio
  // (eval/model_constants.hpp: 2.5 fused, which recomputes the scores; 2 unfused).
  double attention_backward_factor = 0;
  // Host time to dispatch one kernel (framework + driver). Eager execution cannot run a layer
  // faster than its kernels can be issued; graph-captured execution (Execution::graph_capture)
  // issues them all at once. 0: never launch-bound.
  double host_per_kernel_s = 0;
  double memory_efficiency = 1;       // fraction of HBM bandwidth elementwise kernels reach (STREAM)
  double elementwise_overhead_s = 0;  // fixed cost per elementwise kernel
  // Fraction of HBM bandwidth the 8-bit quantization kernels reach (amax, cast and transpose as a
  // GEMM library runs them), measured as the time quantization adds to 8-bit GEMMs; 0: that of
  // the other elementwise kernels (memory_efficiency).
  double cast_efficiency = 0;
  // The same for MX quantization (a scale per block of 32, row- and column-wise); 0: cast_efficiency.
  double block_cast_efficiency = 0;
  double step_overhead_s = 0;         // per training step: data loading, logging, framework
  // How far this profile's predicted training time has been from measured runs ([accuracy]):
  // real runs took up to time_error_low less and time_error_high more. `accuracy_measured` is
  // false where no training measurement of the chip exists and the band is a widened assumption.
  double time_error_low = 0, time_error_high = 0;
  bool accuracy_measured = false;
  bool has_accuracy = false;
};

}  // namespace rackscope::hw
