#include "units/quantity.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <vector>

namespace rackscope::units {
namespace {

struct Unit {
  std::string_view name;
  Dimension dim;
  double factor;  // multiply the number by this to get SI
};

// Decimal prefixes are powers of ten, binary prefixes powers of two; bits are 1/8 byte.
constexpr double K = 1e3, M = 1e6, G = 1e9, T = 1e12, P = 1e15;
constexpr double Ki = 1024.0, Mi = Ki * 1024, Gi = Mi * 1024, Ti = Gi * 1024;

const std::vector<Unit>& table() {
  static const std::vector<Unit> units = {
      {"B", Dimension::bytes, 1},         {"KB", Dimension::bytes, K},
      {"MB", Dimension::bytes, M},        {"GB", Dimension::bytes, G},
      {"TB", Dimension::bytes, T},        {"KiB", Dimension::bytes, Ki},
      {"MiB", Dimension::bytes, Mi},      {"GiB", Dimension::bytes, Gi},
      {"TiB", Dimension::bytes, Ti},
      {"B/s", Dimension::bandwidth, 1},   {"KB/s", Dimension::bandwidth, K},
      {"MB/s", Dimension::bandwidth, M},  {"GB/s", Dimension::bandwidth, G},
      {"TB/s", Dimension::bandwidth, T},  {"KiB/s", Dimension::bandwidth, Ki},
      {"MiB/s", Dimension::bandwidth, Mi}, {"GiB/s", Dimension::bandwidth, Gi},
      {"TiB/s", Dimension::bandwidth, Ti},
      {"bps", Dimension::bandwidth, 1.0 / 8}, {"Kbps", Dimension::bandwidth, K / 8},
      {"Mbps", Dimension::bandwidth, M / 8},  {"Gbps", Dimension::bandwidth, G / 8},
      {"Tbps", Dimension::bandwidth, T / 8},  {"Gb/s", Dimension::bandwidth, G / 8},
      {"Tb/s", Dimension::bandwidth, T / 8},
      {"s", Dimension::time, 1},          {"ms", Dimension::time, 1e-3},
      {"us", Dimension::time, 1e-6},      {"\xC2\xB5s", Dimension::time, 1e-6},
      {"ns", Dimension::time, 1e-9},      {"min", Dimension::time, 60},
      {"h", Dimension::time, 3600},       {"d", Dimension::time, 86400},
      {"FLOP/s", Dimension::flops_rate, 1},      {"GFLOP/s", Dimension::flops_rate, G},
      {"TFLOP/s", Dimension::flops_rate, T},     {"PFLOP/s", Dimension::flops_rate, P},
      {"W", Dimension::power, 1},         {"kW", Dimension::power, K},
      {"MW", Dimension::power, M},
      {"pJ/bit", Dimension::energy_per_bit, 1e-12},
      {"mm", Dimension::length, 1e-3},    {"um", Dimension::length, 1e-6},
      {"mm^2", Dimension::area, 1e-6},    {"mm2", Dimension::area, 1e-6},
  };
  return units;
}

// The physical range of every quantity an input may state (SI units), the one place it is set:
// wide enough for any machine rackscope is meant to describe (a hundred times past the largest
// shipped value), narrow enough that sums and products of them stay finite and exact in the
// fabric's integer max-flow. Zero and negative values are left to the readers (some allow zero).
struct Range {
  double min, max;
  const char* min_text;
  const char* max_text;
};

Range range_of(Dimension d) {
  switch (d) {
    case Dimension::bytes: return {1, 1e18, "1 B", "1e6 TB"};                    // HBM stacks to cluster checkpoints
    case Dimension::bandwidth: return {1e3, 1e15, "1 KB/s", "1000 TB/s"};          // 4 TB/s HBM is the largest shipped
    case Dimension::time: return {1e-12, 1e13, "1e-12 s", "1e13 s"};               // 66M device-hours (2.4e11 s) shipped
    case Dimension::flops_rate: return {1e6, 1e19, "1e-6 TFLOP/s", "1e7 TFLOP/s"}; // 3775 TFLOP/s shipped
    case Dimension::power: return {1e-3, 1e10, "0.001 W", "10000 MW"};             // a campus-scale cluster limit
    case Dimension::energy_per_bit: return {1e-15, 1e-9, "0.001 pJ/bit", "1000 pJ/bit"};
    case Dimension::length: return {1e-9, 1, "0.001 um", "1000 mm"};
    case Dimension::area: return {1e-12, 1, "0.000001 mm^2", "1000000 mm^2"};
    case Dimension::dimensionless: break;
  }
  return {0, 0, "", ""};
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string unit_list(Dimension d) {
  std::string out;
  for (const auto& u : table()) {
    if (u.dim != d || u.name.front() == '\xC2') continue;
    if (!out.empty()) out += ", ";
    out += u.name;
  }
  return out;
}

}  // namespace

std::string describe(Dimension d) {
  switch (d) {
    case Dimension::bytes: return "a size such as \"96 GiB\" (units: " + unit_list(d) + ")";
    case Dimension::bandwidth: return "a bandwidth such as \"800 Gbps\" or \"1.28 TB/s\" (units: " + unit_list(d) + ")";
    case Dimension::time: return "a time such as \"15 us\" (units: " + unit_list(d) + ")";
    case Dimension::flops_rate: return "a rate such as \"667 TFLOP/s\" (units: " + unit_list(d) + ")";
    case Dimension::power: return "a power such as \"500 W\" (units: " + unit_list(d) + ")";
    case Dimension::energy_per_bit: return "an energy such as \"0.25 pJ/bit\"";
    case Dimension::length: return "a length such as \"45 um\" (units: " + unit_list(d) + ")";
    case Dimension::area: return "an area such as \"830 mm^2\"";
    case Dimension::dimensionless: return "a plain number";
  }
  return "a quantity";
}

std::optional<double> parse(std::string_view text, Dimension d, std::string* why) {
  auto fail = [&](std::string reason) -> std::optional<double> {
    if (why) *why = std::move(reason);
    return std::nullopt;
  };
  std::string_view s = trim(text);
  // Numbers may carry thousands separators for readability ("1,299 TFLOP/s") only as '_'.
  std::string number;
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '-' ||
                          s[i] == '+' || s[i] == 'e' || s[i] == 'E' || s[i] == '_')) {
    // An 'e' followed by a letter is the start of a unit, not an exponent.
    if ((s[i] == 'e' || s[i] == 'E') && (i + 1 >= s.size() || !(std::isdigit(static_cast<unsigned char>(s[i + 1])) ||
                                                                  s[i + 1] == '-' || s[i + 1] == '+')))
      break;
    if (s[i] != '_') number += s[i];
    ++i;
  }
  if (number.empty()) return fail("no number in \"" + std::string(text) + "\"");
  double value = 0;
  auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || ptr != number.data() + number.size() || !std::isfinite(value))
    return fail("bad number \"" + number + "\"");
  std::string_view unit = trim(s.substr(i));
  if (d == Dimension::dimensionless) {
    if (!unit.empty()) return fail("unexpected unit '" + std::string(unit) + "'");
    return value;
  }
  if (unit.empty()) return fail("missing unit in \"" + std::string(text) + "\"");
  for (const auto& u : table()) {
    if (u.name == unit) {
      if (u.dim != d) return fail("'" + std::string(unit) + "' is not a unit of this quantity");
      const double si = value * u.factor;
      const Range r = range_of(d);
      if (si != 0 && !(std::fabs(si) >= r.min && std::fabs(si) <= r.max))
        return fail("\"" + std::string(trim(text)) + "\" is outside the physical range " + r.min_text + " to " + r.max_text);
      return si;
    }
  }
  return fail("unknown unit '" + std::string(unit) + "'");
}

std::string format_bytes(double bytes) {
  const double a = std::fabs(bytes);
  if (a >= Gi && std::fmod(a, Gi) == 0) return fmt::format("{:g} GiB", bytes / Gi);
  if (a >= Mi && std::fmod(a, Mi) == 0) return fmt::format("{:g} MiB", bytes / Mi);
  if (a >= Ki && std::fmod(a, Ki) == 0) return fmt::format("{:g} KiB", bytes / Ki);
  if (a >= G) return fmt::format("{:.4g} GB", bytes / G);
  if (a >= M) return fmt::format("{:.4g} MB", bytes / M);
  return fmt::format("{:g} B", bytes);
}

std::string format_bandwidth(double bps) {
  if (std::fabs(bps) >= T) return fmt::format("{:.4g} TB/s", bps / T);
  if (std::fabs(bps) >= G) return fmt::format("{:.4g} GB/s", bps / G);
  return fmt::format("{:.4g} MB/s", bps / M);
}

std::string format_time(double s) {
  if (std::fabs(s) >= 1) return fmt::format("{:.4g} s", s);
  if (std::fabs(s) >= 1e-3) return fmt::format("{:.4g} ms", s * 1e3);
  if (std::fabs(s) >= 1e-6) return fmt::format("{:.4g} us", s * 1e6);
  return fmt::format("{:.4g} ns", s * 1e9);
}

}  // namespace rackscope::units
