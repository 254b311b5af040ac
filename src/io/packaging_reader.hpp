#pragma once
#include "hw/package.hpp"
#include "io/input_file.hpp"

namespace rackscope::io {
// Reads a `kind = "packaging"` technology sheet (topologies/packaging/*.toml).
hw::Packaging read_packaging(const InputFile& file);
// Reads a `kind = "hbm"` generation sheet (topologies/packaging/hbm*.toml).
hw::HbmGeneration read_hbm_generation(const InputFile& file);
// A supply quarter of this century as the sheets write them, "20YYQn" (a std::regex compiled
// on every call was 3% of the shipped sweep, which reads each chip sheet per cluster).
bool is_supply_quarter(const std::string& quarter);
}  // namespace rackscope::io
