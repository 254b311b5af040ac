#pragma once
#include "collective/plan.hpp"
#include "hw/chip.hpp"

namespace rackscope::collective {

// Time of a planned algorithm for a message of `bytes` with one protocol of the chip's runtime:
//   launch + sum over phases of repeat * (bytes * seconds_per_byte / efficiency + latency + step)
// and, for pipelined algorithms with m stages cut into k chunks,
//   launch + (m + k - 1) * ((bytes / k) * seconds_per_byte / efficiency + latency + step),
// with the integer k that minimises it (k* = sqrt((m - 1) * bytes * beta / alpha)). A protocol's
// pipeline bubble adds bubble_steps times the largest step's data time.
double algorithm_time(const AlgorithmCost& a, double bytes, const hw::Protocol& p, double launch_s);

}  // namespace rackscope::collective
