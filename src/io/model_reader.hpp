#pragma once
#include <string>

#include "compute/profile.hpp"
#include "io/input_file.hpp"
#include "workload/model.hpp"

namespace rackscope::io {
// Reads a `kind = "model"` file (workloads/models/).
workload::ModelSpec read_model(const std::string& path, const Overrides& overrides, InputFiles& files);
// Reads a `kind = "compute_profile"` file (topologies/compute/).
compute::Profile read_compute_profile(const InputFile& file);
}  // namespace rackscope::io
