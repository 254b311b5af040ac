#pragma once
#include "hw/chip.hpp"
#include "io/input_file.hpp"

namespace rackscope::io {
// Reads a `kind = "chip"` file and the collective runtime file it names (`collectives = "..."`).
hw::Chip read_chip(const InputFile& file, const Overrides& overrides, InputFiles& files);
}  // namespace rackscope::io
