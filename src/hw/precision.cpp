#include "hw/precision.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace rackscope::hw {
namespace {
// The rows of the precision table with one of its flags set, and their names.
std::vector<Precision> rows_where(bool PrecisionInfo::*flag) {
  std::vector<Precision> out;
  for (const PrecisionInfo& p : precision_table)
    if (p.*flag) out.push_back(p.id);
  return out;
}

std::vector<std::string> names_of(const std::vector<Precision>& precisions) {
  std::vector<std::string> out;
  for (Precision p : precisions) out.push_back(precision_name(p));
  return out;
}
}  // namespace

std::vector<Precision> selectable_precisions() { return rows_where(&PrecisionInfo::selectable); }

std::vector<std::string> selectable_precision_names() { return names_of(selectable_precisions()); }

std::string selectable_precision_list() { return fmt::format("{}", fmt::join(selectable_precision_names(), ", ")); }

std::optional<Precision> find_selectable_precision(std::string_view name) {
  for (Precision p : selectable_precisions())
    if (name == precision_name(p)) return p;
  return std::nullopt;
}

std::vector<Precision> state_formats() { return rows_where(&PrecisionInfo::state_format); }

std::vector<std::string> state_format_names() { return names_of(state_formats()); }

std::string state_format_list() { return fmt::format("{}", fmt::join(state_format_names(), ", ")); }

}  // namespace rackscope::hw
