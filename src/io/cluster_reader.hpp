#pragma once
#include <string>

#include "hw/cluster_spec.hpp"
#include "io/input_file.hpp"

namespace rackscope::io {
// Reads a cluster file and the rack and chip files it names (paths relative to the naming file).
hw::ClusterSpec read_cluster(const std::string& path, const Overrides& overrides, InputFiles& files);
// The memory a fabric may take, from RACKSCOPE_MEMORY_LIMIT ("16 GiB"), else 80% of this machine's
// memory shared by the MPI ranks on it; throws InputError on a malformed RACKSCOPE_MEMORY_LIMIT.
double fabric_memory_limit();
// The same for a sizing search's fabrics, whose default is not divided by the ranks on the machine:
// the rack counts searched, and so the answer, must not change with the rank count.
double search_memory_limit();
}  // namespace rackscope::io
