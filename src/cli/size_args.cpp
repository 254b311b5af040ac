#include "cli/size_args.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

#include "io/input_error.hpp"
#include "size/quarter.hpp"
#include "units/quantity.hpp"

namespace rackscope::cli {
namespace {

using Suffixes = std::vector<std::pair<std::string, double>>;

// A positive finite number followed by one of `suffixes` (or none when "" is among them).
// At most `max` (a bound no real run reaches, so that the search's arithmetic stays finite).
double parse_scaled(const std::string& flag, const std::string& text, const Suffixes& suffixes, const std::string& valid, double max,
                    const char* max_text) {
  std::string s = text;
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  const char* begin = s.c_str();
  char* end = nullptr;
  const double v = std::strtod(begin, &end);
  std::string unit(end);
  while (!unit.empty() && unit.front() == ' ') unit.erase(unit.begin());
  if (end == begin) throw io::InputError({flag, 0}, text, "not a number", valid);
  for (const auto& [name, scale] : suffixes) {
    if (unit != name) continue;
    const double x = v * scale;
    if (!(x > 0) || !std::isfinite(x)) throw io::InputError({flag, 0}, text, "must be positive and finite", valid);
    if (x > max) throw io::InputError({flag, 0}, text, std::string("is over ") + max_text + ", the largest accepted", valid);
    return x;
  }
  throw io::InputError({flag, 0}, text, unit.empty() ? "missing unit" : "unknown unit '" + unit + "'", valid);
}

}  // namespace

double parse_count(const std::string& flag, const std::string& text) {
  return parse_scaled(flag, text, {{"", 1}, {"K", 1e3}, {"M", 1e6}, {"B", 1e9}, {"G", 1e9}, {"T", 1e12}},
                      "a positive count such as 15T, 500B or 2e12 (K, M, B/G, T = 1e3, 1e6, 1e9, 1e12)", 1e18, "1e18");
}

double parse_duration(const std::string& flag, const std::string& text) {
  return parse_scaled(flag, text, {{"d", 86400}, {"days", 86400}, {"h", 3600}, {"w", 7 * 86400}, {"s", 1}},
                      "a positive duration such as 90d, 2160h or 12w", 100 * 365.25 * 86400, "36525d (100 years)");
}

double parse_money(const std::string& flag, const std::string& text) {
  const std::string t = !text.empty() && text.front() == '$' ? text.substr(1) : text;
  return parse_scaled(flag, t, {{"", 1}, {"K", 1e3}, {"M", 1e6}, {"B", 1e9}},
                      "a positive amount of US dollars such as 2B, $750M or 1.5e9", 1e13, "$10000B");
}

double parse_power(const std::string& flag, const std::string& text) {
  return parse_scaled(flag, text, {{"W", 1}, {"kW", 1e3}, {"MW", 1e6}, {"GW", 1e9}}, "a positive power such as 60MW or 500 kW", 1e10, "10GW");
}

void set_batch(size::Request& r, int gbs) {
  constexpr double kDefaultBatchTokens = 16.0 * 1024 * 1024;
  constexpr double kDefaultBatchTolerance = 0.25;
  r.global_batch = gbs > 0 ? gbs : static_cast<int>(std::max(1.0, std::round(kDefaultBatchTokens / r.model.seq)));
  r.batch_tolerance = gbs > 0 ? 0 : kDefaultBatchTolerance;
}

void check_quarter(const std::string& flag, const std::string& text) {
  if (!size::valid_quarter(text)) throw io::InputError({flag, 0}, text, "not a quarter", "a year and quarter such as 2027Q1");
}

}  // namespace rackscope::cli
