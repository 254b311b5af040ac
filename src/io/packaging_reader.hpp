#pragma once
#include "hw/package.hpp"
#include "io/input_file.hpp"

namespace rackscope::io {
// Reads a `kind = "packaging"` technology sheet (topologies/packaging/*.toml).
hw::Packaging read_packaging(const InputFile& file);
// Reads a `kind = "hbm"` generation sheet (topologies/packaging/hbm*.toml).
hw::HbmGeneration read_hbm_generation(const InputFile& file);
}  // namespace rackscope::io
