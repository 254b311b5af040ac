#pragma once
// A cluster's economics, or an InputError saying which file lacks them and what to add.
#include "hw/cluster_spec.hpp"

namespace rackscope::econ {
const hw::RackEconomics& rack_economics(const hw::ClusterSpec& c);
const hw::ClusterEconomics& cluster_economics(const hw::ClusterSpec& c);
// A chip's peak power: stated in the rack economics, else its package sheet's power_W.
double chip_peak_W(const hw::ClusterSpec& c);
}  // namespace rackscope::econ
