#include "sweep/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sweep/pareto.hpp"
#include "sweep/reasons.hpp"
#include "sweep/sha256.hpp"

namespace rackscope::sweep {
namespace {
std::vector<double> signed_objectives(const Layout& layout, const std::vector<const Column*>& cols, const std::vector<Objective>& objectives,
                                      const uint8_t* row) {
  std::vector<double> v;
  for (size_t k = 0; k < cols.size(); ++k) {
    const double x = layout.number(row, *cols[k]);
    v.push_back(objectives[k].maximize ? -x : x);
  }
  return v;
}

std::vector<const Column*> objective_columns(const Layout& layout, const std::vector<Objective>& objectives) {
  std::vector<const Column*> cols;
  for (const auto& o : objectives) cols.push_back(layout.find(o.column));
  return cols;
}
}  // namespace

void count_reasons(const Layout& layout, const uint8_t* rows, size_t n, std::vector<int64_t>& counts) {
  const Column* reason = layout.find("reason");
  for (size_t i = 0; i < n; ++i) {
    const auto code = static_cast<size_t>(layout.number(rows + i * layout.row_size(), *reason));
    if (code >= counts.size()) counts.resize(code + 1, 0);
    ++counts[code];
  }
}

std::vector<uint8_t> front_rows(const Layout& layout, const std::vector<Objective>& objectives, const uint8_t* rows, size_t n) {
  const Column* feasible = layout.find("feasible");
  const auto cols = objective_columns(layout, objectives);
  std::vector<std::vector<double>> points;
  std::vector<size_t> which;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* row = rows + i * layout.row_size();
    if (layout.number(row, *feasible) == 0) continue;
    points.push_back(signed_objectives(layout, cols, objectives, row));
    which.push_back(i);
  }
  std::vector<uint8_t> out;
  for (size_t p : pareto_front(points)) {
    const uint8_t* row = rows + which[p] * layout.row_size();
    out.insert(out.end(), row, row + layout.row_size());
  }
  return out;
}

std::string summary_table(const Spec& spec, const Space& space, const Layout& layout, const std::vector<uint8_t>& front,
                          const std::vector<int64_t>& counts, size_t max_rows) {
  const size_t rs = layout.row_size(), n = front.size() / rs;
  const auto cols = objective_columns(layout, spec.objectives);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Best first by the first objective (then the next), the index breaking ties.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return signed_objectives(layout, cols, spec.objectives, &front[a * rs]) < signed_objectives(layout, cols, spec.objectives, &front[b * rs]);
  });
  const Column* index = layout.find("index");
  std::vector<std::string> header = {"index"};
  std::vector<size_t> shown_axes;
  for (size_t k = 0; k < spec.axes.size(); ++k)
    if (spec.axes[k].values.size() > 1) shown_axes.push_back(k), header.push_back(spec.axes[k].name);
  for (const char* h : {"dp", "chips", "tokens/s", "MFU", "step s", "GiB/chip", "cost $M", "power kW", "train days"}) header.emplace_back(h);
  std::vector<std::vector<std::string>> table = {header};
  auto num = [&](const uint8_t* row, const char* name) { return layout.number(row, *layout.find(name)); };
  auto fmt_or_dash = [](double v, const char* f) { return std::isnan(v) ? std::string("-") : fmt::format(fmt::runtime(f), v); };
  for (size_t i = 0; i < std::min(n, max_rows); ++i) {
    const uint8_t* row = &front[order[i] * rs];
    const auto idx = static_cast<int64_t>(layout.number(row, *index));
    std::vector<std::string> line = {std::to_string(idx)};
    for (size_t k : shown_axes) line.push_back(display(spec.axes[k].values[space.digit(idx, k)]));
    line.push_back(fmt::format("{}", static_cast<int64_t>(num(row, "dp"))));
    line.push_back(fmt::format("{}", static_cast<int64_t>(num(row, "chips"))));
    line.push_back(fmt_or_dash(num(row, "tokens_per_s"), "{:.0f}"));
    line.push_back(fmt_or_dash(100 * num(row, "mfu"), "{:.1f}%"));
    line.push_back(fmt_or_dash(num(row, "step_time_s"), "{:.3f}"));
    line.push_back(fmt_or_dash(num(row, "memory_per_chip_B") / 1073741824.0, "{:.1f}"));
    line.push_back(fmt_or_dash(num(row, "cost_usd") / 1e6, "{:.1f}"));
    line.push_back(fmt_or_dash(num(row, "power_W") / 1e3, "{:.0f}"));
    line.push_back(fmt_or_dash(num(row, "time_to_train_s") / 86400, "{:.1f}"));
    table.push_back(line);
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& line : table)
    for (size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  int64_t total = 0;
  for (int64_t c : counts) total += c;
  std::string objectives;
  for (const auto& o : spec.objectives) objectives += (objectives.empty() ? "" : ", ") + std::string(o.maximize ? "max " : "min ") + o.column;
  std::string out = fmt::format("{}: {} configurations, {} feasible; {} non-dominated for {}", spec.name, total, counts.empty() ? 0 : counts[0],
                                n, objectives);
  out += n > max_rows ? fmt::format(" (best {} by {} shown)\n", max_rows, spec.objectives.front().column) : "\n";
  for (const auto& line : table) {
    for (size_t c = 0; c < line.size(); ++c) out += fmt::format("{:>{}}{}", line[c], width[c], c + 1 < line.size() ? "  " : "\n");
  }
  std::string reasons;
  const auto& names = reason_names();
  for (size_t c = 1; c < counts.size(); ++c)
    if (counts[c] > 0) reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", names[c], counts[c]);
  if (!reasons.empty()) out += "infeasible: " + reasons + "\n";
  return out;
}

std::string digest(const std::map<std::string, std::string>& texts, const Layout& layout) {
  // By content only: the same files reached as ./spec.toml or from another folder are the same
  // inputs. Each file's hash, sorted (the spelling of paths orders the map, not the contents).
  std::vector<std::string> hashes;
  for (const auto& [path, text] : texts) hashes.push_back(sha256_hex(text));
  std::sort(hashes.begin(), hashes.end());
  std::string all;
  for (const auto& h : hashes) all += h + '\0';
  for (const auto& c : layout.columns()) all += c.name + '\0';
  return sha256_hex(all);
}

}  // namespace rackscope::sweep
