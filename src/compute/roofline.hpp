#pragma once
// Roofline time of one kernel on one rank: the slower of its FLOPs at the achieved compute rate
// and its HBM bytes at the achieved bandwidth, plus the kernel's fixed cost (Williams et al. 2009).
#include "compute/profile.hpp"

namespace rackscope::compute {

struct RankRates {
  double flops = 0;      // dense peak FLOP/s of one rank at the precision in use
  double hbm_Bps = 0;    // one rank's share of HBM bandwidth
  double attention_flops = 0;  // the attention core's peak when it runs in another format (0: flops)
  // The GEMMs at `flops` use MX block scales: the profile's block-scaled GEMM and cast efficiencies.
  bool block_scaled = false;
  // The GEMMs at `flops` take 16-bit inputs: the profile's 16-bit factor applies.
  bool sixteen_bit = false;
};

// Fraction of peak a GEMM of m x k by k x n reaches: the profile's curve at its size, the cube
// root of m*n*k (the side of the square GEMM with as many FLOPs), interpolated in log(size) and
// held flat beyond the measured ends; with 16-bit inputs, times the profile's 16-bit factor.
double gemm_efficiency(const Profile& p, double m, double n, double k, bool sixteen_bit = false);
// A measured curve of (size, value) at `size`: interpolated in log(size), flat beyond its ends.
double curve_at(const std::vector<std::pair<double, double>>& curve, double size);
// A profile's factor by head dimension (head_dim_forward, _causal, _backward) at `head_dim`: 1 when
// the profile has none or the head dimension is not given (0).
double head_dim_factor(const std::vector<std::pair<double, double>>& factors, double head_dim);
// Fraction of peak a fused attention kernel over sequences of `seq` reaches, causal or not, at
// `head_dim` (0: the curves' own).
double attention_efficiency(const Profile& p, double seq, bool causal, double head_dim = 0);
// Compute and memory times of one kernel combined: max(c, m) for norm 0 (Williams et al.'s
// roofline, perfect overlap), else the p-norm (c^p + m^p)^(1/p), p = norm >= 1 (p = 1: the sum).
double roofline_combine(double compute_s, double memory_s, double norm);
// Roofline time of `copies` GEMMs of one shape run as one kernel (grouped GEMM: MoE experts),
// compute and memory combined by the profile's `gemm_roofline_norm`.
double gemm_time(const Profile& p, const RankRates& r, double m, double n, double k, double bytes, double copies = 1);
// `kernels` attention kernels doing `flops` and moving `bytes` in all over sequences of `seq`
// (0: the profile's single efficiency), with a causal mask or not, heads of `head_dim` (0: the
// curves' own): fused (flash), the slower of compute and memory; unfused (batched GEMMs on
// materialized scores), combined by the profile's `gemm_roofline_norm` as GEMMs are.
double attention_time(const Profile& p, const RankRates& r, double flops, double bytes, int kernels = 1, double seq = 0,
                      bool causal = false, double head_dim = 0);
// `kernels` elementwise kernels moving `bytes` in all.
double elementwise_time(const Profile& p, const RankRates& r, double bytes, int kernels = 1);
// `kernels` 8-bit quantization kernels moving `bytes` in all, at the profile's cast efficiency.
double cast_time(const Profile& p, const RankRates& r, double bytes, int kernels);

}  // namespace rackscope::compute
