#pragma once
#include "hw/chip.hpp"
#include "io/input_file.hpp"

namespace rackscope::io {
// Reads a `kind = "chip"` table (already loaded) into a Chip.
hw::Chip read_chip(const InputFile& file);
}  // namespace rackscope::io
