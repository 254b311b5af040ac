#include "compute/roofline.hpp"

#include <algorithm>
#include <cmath>

namespace rackscope::compute {

double curve_at(const std::vector<std::pair<double, double>>& c, double size) {
  if (size <= c.front().first) return c.front().second;
  if (size >= c.back().first) return c.back().second;
  size_t i = 1;
  while (c[i].first < size) ++i;
  const double f = std::log(size / c[i - 1].first) / std::log(c[i].first / c[i - 1].first);
  return c[i - 1].second + f * (c[i].second - c[i - 1].second);
}

double gemm_efficiency(const Profile& p, double m, double n, double k, bool sixteen_bit) {
  const double e = p.matmul_curve.empty() ? p.matmul_efficiency : curve_at(p.matmul_curve, std::cbrt(m * n * k));
  return sixteen_bit ? std::min(1.0, e * p.matmul_16bit_factor) : e;
}

double head_dim_factor(const std::vector<std::pair<double, double>>& factors, double head_dim) {
  return factors.empty() || head_dim <= 0 ? 1.0 : curve_at(factors, head_dim);
}

double attention_efficiency(const Profile& p, double seq, bool causal, double head_dim) {
  const double rate = p.attention_curve.empty() || seq <= 0 ? p.attention_efficiency : curve_at(p.attention_curve, seq);
  if (causal && !p.causal_curve.empty() && seq > 0)
    return rate * curve_at(p.causal_curve, seq) * head_dim_factor(p.head_dim_causal, head_dim);
  return rate * head_dim_factor(p.head_dim_forward, head_dim);
}

double roofline_combine(double compute_s, double memory_s, double norm) {
  if (norm <= 0) return std::max(compute_s, memory_s);
  const double longer = std::max(compute_s, memory_s);
  if (longer <= 0) return 0;
  // Scaled by the longer term so that large exponents cannot overflow.
  return longer * std::pow(std::pow(compute_s / longer, norm) + std::pow(memory_s / longer, norm), 1 / norm);
}

double gemm_time(const Profile& p, const RankRates& r, double m, double n, double k, double bytes, double copies) {
  const double flops = 2 * m * n * k * copies;
  const double block = r.block_scaled ? p.block_scaled_efficiency : 1.0;
  const double compute_s = flops / (r.flops * gemm_efficiency(p, m, n, k, r.sixteen_bit) * block);
  const double memory_s = bytes / (r.hbm_Bps * p.memory_efficiency);
  return roofline_combine(compute_s, memory_s, p.gemm_roofline_norm) + p.matmul_overhead_s;
}

double attention_time(const Profile& p, const RankRates& r, double flops, double bytes, int kernels, double seq, bool causal,
                      double head_dim) {
  const double peak = r.attention_flops > 0 ? r.attention_flops : r.flops;
  const double compute_s = flops / (peak * attention_efficiency(p, seq, causal, head_dim));
  const double memory_s = bytes / (r.hbm_Bps * p.memory_efficiency);
  // A fused kernel's efficiency is its measured rate, HBM traffic included: the slower term. Unfused,
  // QK^T and AV are cuBLAS batched GEMMs whose short inner size (the head dimension, 64-128 FLOP per
  // byte of scores) puts them at the A100's and H100's ridge, like the GEMM benchmark's thin shape
  // the profile's roofline_norm was calibrated on: combined as every other GEMM.
  const double norm = p.flash_attention ? 0 : p.gemm_roofline_norm;
  return roofline_combine(compute_s, memory_s, norm) + kernels * p.matmul_overhead_s;
}

double elementwise_time(const Profile& p, const RankRates& r, double bytes, int kernels) {
  return bytes / (r.hbm_Bps * p.memory_efficiency) + kernels * p.elementwise_overhead_s;
}

double cast_time(const Profile& p, const RankRates& r, double bytes, int kernels) {
  const double cast = r.block_scaled && p.block_cast_efficiency > 0 ? p.block_cast_efficiency : p.cast_efficiency;
  const double efficiency = cast > 0 ? cast : p.memory_efficiency;
  return bytes / (r.hbm_Bps * efficiency) + kernels * p.elementwise_overhead_s;
}

}  // namespace rackscope::compute
