#pragma once
// A chip's (or die's) FLOP/s per precision, one key per row of hw::precision_table.
#include <string>
#include <vector>

#include "hw/precision.hpp"
#include "io/strict_table.hpp"

namespace rackscope::io {

// The precision keys, in table order (for `expect()` lists).
std::vector<std::string> precision_keys();
// Reads every precision's rate from `t`: required where the table says so, else 0 when absent.
hw::PrecisionRates read_precision_rates(StrictTable& t);

}  // namespace rackscope::io
