#pragma once
#include <string>

#include "io/input_file.hpp"
#include "sweep/spec.hpp"

namespace rackscope::io {
// Reads a `kind = "sweep"` file (workloads/sweeps/): base inputs, workloads, execution knobs,
// axes (lists or ranges), constraints, objectives. Paths are resolved against the sweep file.
// Checks every axis value against its key; the inputs the paths name are read later
// (io::load_inputs). Throws InputError.
sweep::Spec read_sweep(const std::string& path, InputFiles& files);
}  // namespace rackscope::io
