#pragma once
#include "hw/reliability.hpp"
#include "io/input_file.hpp"

namespace rackscope::io {
// Reads a `kind = "reliability"` file (topologies/reliability/), named by a cluster's
// `reliability` key.
hw::Reliability read_reliability(const InputFile& file);
}  // namespace rackscope::io
