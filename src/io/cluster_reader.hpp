#pragma once
#include <string>

#include "hw/cluster_spec.hpp"
#include "io/input_file.hpp"

namespace rackscope::io {
// Reads a cluster file and the rack and chip files it names (paths relative to the naming file).
hw::ClusterSpec read_cluster(const std::string& path, const Overrides& overrides, InputFiles& files);
}  // namespace rackscope::io
