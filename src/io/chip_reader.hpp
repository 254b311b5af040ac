#pragma once
#include "hw/chip.hpp"
#include "io/input_file.hpp"

namespace rackscope::io {
// Reads a `kind = "chip"` file and the collective runtime file it names (`collectives = "..."`).
// A die-built chip whose package does not fit is still read: its problems stay in
// chip.package->problems (`chip --check` lists them; evaluate() calls the chip package_unfit).
hw::Chip read_chip(const InputFile& file, const Overrides& overrides, InputFiles& files);
// A package problem as the one-line input error `file:line: key: problem (valid: ...)`.
InputError package_error(const hw::Chip& chip, const hw::PackageProblem& p);
}  // namespace rackscope::io
