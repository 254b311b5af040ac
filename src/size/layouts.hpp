#pragma once
// The parallel layouts a sizing search tries on one rack configuration, and the rack counts at
// which a layout can run (dp must be whole and split the global batch).
#include <vector>

#include "hw/cluster_spec.hpp"
#include "size/request.hpp"

namespace rackscope::size {

// TP powers of two inside one rack (TP rides the scale-up domain) dividing the heads; PP the
// layer count's divisors up to 64 plus powers of two; CP 1 and 2; micro-batch 1 and 2; every
// EP powers of two dividing the experts (MoE models only). Recompute is not enumerated: the
// search takes the least recompute that fits in memory (more recompute is never faster).
std::vector<Layout> layouts(const workload::ModelSpec& m, const hw::ClusterSpec& c);

// Rack counts 1..max_racks at which `l` runs: ranks divisible by tp*cp*pp, dp a multiple of ep
// and dp x micro-batch dividing the global batch. Ascending.
std::vector<int> valid_racks(const hw::ClusterSpec& c, const Layout& l, int global_batch, int max_racks);

// The execution of `l` on `racks` racks (dp derived), with the defaults every option shares:
// ZeRO-1, sequence parallelism with TP, BF16, overlaps on (as Megatron-LM and NxD run at scale).
workload::Execution execution(const hw::ClusterSpec& c, const Layout& l, int racks, int global_batch);

}  // namespace rackscope::size
