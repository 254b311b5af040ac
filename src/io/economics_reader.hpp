#pragma once
// Readers for the economics files a rack or cluster may name (`economics = "..."`):
// kind "rack_economics" (topologies/economics/racks/) and "cluster_economics"
// (topologies/economics/clusters/). Every number carries a source or an assumption.
#include "hw/cluster_spec.hpp"
#include "io/input_file.hpp"

namespace rackscope::io {
// `rack` is the rack being read (chip, scale-up and NICs already set): which keys it needs
// depends on them (a markup needs a package sheet, switch prices need switches).
hw::RackEconomics read_rack_economics(const InputFile& file, const hw::RackSpec& rack);
hw::ClusterEconomics read_cluster_economics(const InputFile& file);
}  // namespace rackscope::io
