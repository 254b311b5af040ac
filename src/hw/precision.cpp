#include "hw/precision.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace rackscope::hw {

std::vector<Precision> selectable_precisions() {
  std::vector<Precision> out;
  for (const PrecisionInfo& p : precision_table)
    if (p.selectable) out.push_back(p.id);
  return out;
}

std::vector<std::string> selectable_precision_names() {
  std::vector<std::string> out;
  for (Precision p : selectable_precisions()) out.push_back(precision_name(p));
  return out;
}

std::string selectable_precision_list() { return fmt::format("{}", fmt::join(selectable_precision_names(), ", ")); }

std::optional<Precision> find_selectable_precision(std::string_view name) {
  for (Precision p : selectable_precisions())
    if (name == precision_name(p)) return p;
  return std::nullopt;
}

std::vector<Precision> state_formats() {
  std::vector<Precision> out;
  for (const PrecisionInfo& p : precision_table)
    if (p.state_format) out.push_back(p.id);
  return out;
}

std::vector<std::string> state_format_names() {
  std::vector<std::string> out;
  for (Precision p : state_formats()) out.push_back(precision_name(p));
  return out;
}

std::string state_format_list() { return fmt::format("{}", fmt::join(state_format_names(), ", ")); }

}  // namespace rackscope::hw
