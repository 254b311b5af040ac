#pragma once
// Roofline time of one kernel on one rank: the slower of its FLOPs at the achieved compute rate
// and its HBM bytes at the achieved bandwidth, plus the kernel's fixed cost (Williams et al. 2009).
#include "compute/profile.hpp"

namespace rackscope::compute {

struct RankRates {
  double flops = 0;      // dense peak FLOP/s of one rank at the precision in use
  double hbm_Bps = 0;    // one rank's share of HBM bandwidth
};

double matmul_time(const Profile& p, const RankRates& r, double flops, double bytes);
double attention_time(const Profile& p, const RankRates& r, double flops, double bytes);
double elementwise_time(const Profile& p, const RankRates& r, double bytes);

}  // namespace rackscope::compute
