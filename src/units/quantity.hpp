#pragma once
// One place for units: every quantity in an input file is a string such as "1.28 TB/s",
// "800 Gbps", "15 us" or "96 GiB". Inside rackscope everything is an SI double
// (seconds, bytes, bytes/s, FLOP/s, watts); the suffix of a variable name says which.
// GB = 1e9 B and GiB = 2^30 B, always; Gbps = 1e9 bit/s.
#include <optional>
#include <string>
#include <string_view>

namespace rackscope::units {

enum class Dimension { bytes, bandwidth, time, flops_rate, power, energy_per_bit, length, area, dimensionless };

// Name of a dimension and the units it accepts, for error messages ("a bandwidth such as ...").
std::string describe(Dimension d);

// Parses `text` as a quantity of dimension `d`; returns the SI value, or nullopt with `why` set
// to a short reason ("unknown unit 'GBs'", "missing unit", or a non-zero value outside the
// dimension's physical range: the one table of ranges is in quantity.cpp, listed in README "Units").
std::optional<double> parse(std::string_view text, Dimension d, std::string* why = nullptr);

// Human formatting used by tables: picks a decimal (SI) prefix.
std::string format_bytes(double bytes);          // 1048576 -> "1 MiB" style for powers of two, else "1.05 MB"
std::string format_bandwidth(double bytes_per_s); // "128 GB/s"
std::string format_time(double seconds);          // "15 us"

}  // namespace rackscope::units
