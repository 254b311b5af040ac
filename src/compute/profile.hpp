#pragma once
// The compute profile is hardware data (hw/compute_profile.hpp); the roofline reads it.
#include "hw/compute_profile.hpp"

namespace rackscope::compute {
using Profile = hw::ComputeProfile;
}  // namespace rackscope::compute
