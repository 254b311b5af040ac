#include "compute/roofline.hpp"

#include <algorithm>

namespace rackscope::compute {

double matmul_time(const Profile& p, const RankRates& r, double flops, double bytes) {
  return std::max(flops / (r.flops * p.matmul_efficiency), bytes / (r.hbm_Bps * p.memory_efficiency)) + p.matmul_overhead_s;
}

double attention_time(const Profile& p, const RankRates& r, double flops, double bytes) {
  return std::max(flops / (r.flops * p.attention_efficiency), bytes / (r.hbm_Bps * p.memory_efficiency)) + p.matmul_overhead_s;
}

double elementwise_time(const Profile& p, const RankRates& r, double bytes) {
  return bytes / (r.hbm_Bps * p.memory_efficiency) + p.elementwise_overhead_s;
}

}  // namespace rackscope::compute
