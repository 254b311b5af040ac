#include "sweep/limits.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <stdexcept>

#include "units/quantity.hpp"

namespace rackscope::sweep {

RunEstimate estimate_run(int64_t configurations, size_t row_bytes, int ranks) {
  RunEstimate e;
  const double rows = static_cast<double>(configurations) * static_cast<double>(row_bytes);
  // The checkpoint's bound: every configuration feasible (its whole row) plus its reason byte.
  e.checkpoint_bytes = rows + static_cast<double>(configurations);
  e.result_bytes = rows;
  e.seconds = static_cast<double>(configurations) * kMinSecondsPerConfig / std::max(1, ranks);
  return e;
}

double sweep_time_limit() {
  const char* text = std::getenv("RACKSCOPE_SWEEP_TIME_LIMIT");
  if (!text || !*text) return 30 * 86400.0;
  std::string why;
  const auto v = units::parse(text, units::Dimension::time, &why);
  if (!v || !(*v > 0)) throw std::invalid_argument(fmt::format("RACKSCOPE_SWEEP_TIME_LIMIT: \"{}\" is not a time{}", text, why.empty() ? "" : ": " + why));
  return *v;
}

namespace {
// Decimal units, 3 significant digits: "449 TB".
std::string size_text(double b) {
  const char* names[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  int i = 0;
  while (b >= 1000 && i < 6) b /= 1000, ++i;
  return fmt::format("{:.3g} {}", b, names[i]);
}

std::string duration(double s) {
  if (s >= 2 * 86400) return fmt::format("{:.3g} days", s / 86400);
  if (s >= 2 * 3600) return fmt::format("{:.3g} h", s / 3600);
  return units::format_time(s);
}
}  // namespace

std::optional<std::string> refuse_run(const RunEstimate& e, bool resume, double available, double time_limit, int ranks) {
  const double need = e.result_bytes + (resume ? 0 : e.checkpoint_bytes);
  if (need > available) {
    const std::string parts = resume ? fmt::format("its results beside the existing checkpoint")
                                     : fmt::format("{} checkpoint and {} results", size_text(e.checkpoint_bytes), size_text(e.result_bytes));
    return fmt::format("the sweep needs {} on disk ({}; at least {} on {} ranks), {} free there", size_text(need), parts, duration(e.seconds), ranks,
                       size_text(available));
  }
  if (e.seconds > time_limit)
    return fmt::format("the sweep would take at least {} on {} ranks ({} on disk), over the limit of {}", duration(e.seconds), ranks,
                       size_text(need), duration(time_limit));
  return std::nullopt;
}

}  // namespace rackscope::sweep
