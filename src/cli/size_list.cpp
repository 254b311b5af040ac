#include "cli/size_list.hpp"

#include <cctype>
#include <cmath>

namespace rackscope::cli {

bool parse_size(const std::string& text, double& bytes, std::string& why) {
  size_t pos = 0;
  double value = 0;
  try {
    value = std::stod(text, &pos);
  } catch (...) {
    why = "not a size";
    return false;
  }
  std::string unit = text.substr(pos);
  if (!unit.empty() && (unit.back() == 'B' || unit.back() == 'b')) unit.pop_back();
  double scale = 1;
  if (unit == "K" || unit == "k") scale = 1024.0;
  else if (unit == "M" || unit == "m") scale = 1024.0 * 1024;
  else if (unit == "G" || unit == "g") scale = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "t") scale = 1024.0 * 1024 * 1024 * 1024;
  else if (!unit.empty()) {
    why = "unknown size suffix '" + unit + "'";
    return false;
  }
  bytes = value * scale;
  if (!(bytes >= 1) || !std::isfinite(bytes)) {
    why = "must be at least 1 byte";
    return false;
  }
  // Element counts are 64-bit; no collective moves a petabyte in one call.
  if (bytes > kMaxMessageBytes) {
    why = "is over 1024T, the largest message size";
    return false;
  }
  return true;
}

std::vector<double> size_sweep(double begin, double end, double factor) {
  std::vector<double> sizes;
  for (double s = begin; s <= end * (1 + 1e-12); s *= factor) sizes.push_back(std::floor(s));
  return sizes;
}

}  // namespace rackscope::cli
