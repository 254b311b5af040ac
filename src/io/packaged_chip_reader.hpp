#pragma once
// The die-built chip schema: `packaging = "../packaging/x.toml"`, [[dies]], [[hbm]],
// [[die_links]], [cores], [power], [supply]. Totals (FLOP/s, HBM, core layout) are derived.
#include "hw/chip.hpp"
#include "io/input_file.hpp"

namespace rackscope::io {
// Fills `chip` (all but name, file and collectives) from the top table of a die-built chip file;
// the package's problems stay in chip.package->problems, each with its line in this file.
void read_packaged_chip(StrictTable& top, const Overrides& overrides, InputFiles& files, hw::Chip& chip);
}  // namespace rackscope::io
