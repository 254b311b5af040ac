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
// Phases that cross racks price each tier at its own protocol figures (the network's efficiency
// and step latency); `transport_s` > 0 (the runtime's network latency) stands in for the
// fabric's link latencies across racks; with `in_flight` steps posted per connection a
// pipelined algorithm pays each stage's latency once (the fill) and then 1/in_flight of the
// slowest stage's per chunk. See timing.cpp for the per-tier pipelined form.
// NCCL's NVLS chunk (bytes) for an all-reduce of `bytes` with chunks of at most `max` over `ops`
// concurrent operations (channels x ranks): timing.cpp.
double nvls_chunk(double bytes, double max, double ops);
// The same for NCCL's NVLS tree across `nodes` nodes (enqueue.cc, NCCL_ALGO_NVLS_TREE): at most 64
// KiB from 4 nodes on, 64 KiB below 4 x ops x chunk, 32 KiB below ops x chunk.
double nvls_tree_chunk(double bytes, double max, double ops, int nodes);
double algorithm_time(const AlgorithmCost& a, double bytes, const hw::Protocol& p, double launch_s, double transport_s = 0,
                      int in_flight = 1);

}  // namespace rackscope::collective
