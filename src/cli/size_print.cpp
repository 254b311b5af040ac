#include "cli/size_print.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "cli/size_json.hpp"
#include "cli/size_run.hpp"
#include "size/layouts.hpp"

namespace rackscope::cli {
namespace {

constexpr double kDay = 86400;

std::string tokens_text(double t) { return t >= 1e12 ? fmt::format("{:.1f}T", t / 1e12) : fmt::format("{:.0f}B", t / 1e9); }

std::string money_text(double usd) { return usd >= 1e9 ? fmt::format("${:.2f}B", usd / 1e9) : fmt::format("${:.1f}M", usd / 1e6); }

std::string packaging_text(const size::Option& o) { return o.packaging.empty() ? "-" : o.packaging; }

std::string supply_text(const size::Option& o) {
  if (o.supply_chips <= 0 && o.supply_high <= 0) return o.packaging.empty() ? "unknown" : "none yet";
  return fmt::format("{:.0f}k ({:.0f}-{:.0f}k)", o.supply_chips / 1e3, o.supply_low / 1e3, o.supply_high / 1e3);
}

// MoE models add an `ep` column: the expert-parallel degree, "/1" when the experts are whole
// (expert TP 1, EP folded over the TP ranks).
std::string experts_text(const workload::Execution& e) {
  return workload::expert_grid_folded(e) ? fmt::format("{}/{}", e.ep, e.etp) : fmt::format("{}", e.ep);
}

// MoE models' recompute may read "selective+moe".
int recompute_width(bool moe) { return moe ? 13 : 9; }

void print_header(bool moe) {
  fmt::print("{:>2}  {:<28} {:<8} {:>5} {:>6}  {:>3} {:>3} {:>3} {:>2} {:>4}{} {:>3} {:>5} {:<{}} {:>7} {:>5} {:>6}  {:<17} {:>8} {:<19} {:>7} {:>6}  {:<18} {}\n",
             "#", "configuration", "package", "racks", "chips", "tp", "pp", "vpp", "cp", "dp", moe ? fmt::format(" {:>5}", "ep") : "", "mbs", "gbs",
             "recompute", recompute_width(moe), "step s", "MFU", "goodp.", "days (band)", "capex $M", "TCO $M (band)", "GWh", "peak MW", "supply chips", "binding");
}

void print_row(int i, const size::Option& o, bool moe) {
  const auto& e = o.execution;
  fmt::print("{:>2}  {:<28} {:<8} {:>5} {:>6}  {:>3} {:>3} {:>3} {:>2} {:>4}{} {:>3} {:>5} {:<{}} {:>7.2f} {:>4.1f}% {:>6}  {:<17} {:>8.0f} {:<19} {:>7.1f} {:>6.1f}{} {:<18} {}\n",
             i, o.rack, packaging_text(o), o.racks, o.chips, e.tp, size::pipeline_text(e), e.vpp, e.cp, e.dp, moe ? fmt::format(" {:>5}", experts_text(e)) : "",
             e.micro_batch, e.global_batch, size::recompute_text(e), recompute_width(moe),
             o.step_time_s, 100 * o.mfu, std::isfinite(o.goodput) ? fmt::format("{:.1f}%", 100 * o.goodput) : "n/a",
             fmt::format("{:.0f} ({:.0f}-{:.0f}){}", o.wall_s.value / kDay, o.wall_s.low / kDay, o.wall_s.high / kDay, o.band_measured ? "" : "*"),
             o.capex_usd.value / 1e6, fmt::format("{:.0f} ({:.0f}-{:.0f})", o.tco_usd.value / 1e6, o.tco_usd.low / 1e6, o.tco_usd.high / 1e6),
             o.energy_MWh / 1e3, o.peak_power_MW, o.assumed ? "*" : " ", supply_text(o), o.feasible ? o.binding : o.reject);
}

std::string constraint_text(const size::Request& r) {
  std::string s = fmt::format("in {:.0f} days", r.deadline_s / kDay);
  if (r.budget_usd) s += ", under " + money_text(*r.budget_usd);
  if (r.power_W) s += fmt::format(", within {:.0f} MW", *r.power_W / 1e6);
  if (!r.quarter.empty()) s += ", chips delivered by " + r.quarter;
  return s;
}

const char* objective_words(size::Objective o) {
  switch (o) {
    case size::Objective::cost: return "the lowest total cost";
    case size::Objective::time: return "the shortest time";
    case size::Objective::energy: return "the least energy";
  }
  return "";
}

void print_rejected(const size::Answer& a) {
  if (a.rejected.empty()) return;
  fmt::print("rejected (layouts at screening, options after):");
  for (const auto& [reason, n] : a.rejected) fmt::print(" {} {}", reason, n);
  fmt::print("\n");
}

}  // namespace

void print_size_text(const size::Request& r, const std::vector<size::Candidate>& c, const size::Answer& a) {
  const std::string what = fmt::format("train {} on {} tokens {}", r.model.name, tokens_text(r.tokens), constraint_text(r));
  const bool moe = r.model.moe.experts > 0;
  if (a.options.empty()) {
    fmt::print("No option can {}. Closest:\n", what);
    print_header(moe);
    for (size_t i = 0; i < a.closest.size(); ++i) print_row(static_cast<int>(i + 1), a.closest[i], moe);
    for (const auto& s : a.advice) fmt::print("  {}\n", s);
  } else {
    const auto& b = a.options.front();
    fmt::print("To {} at {}: {} x {} ({}, {} chips), {:.0f} days ({:.0f}-{:.0f}), capex {}, {:.1f} MW peak; binding: {}.\n", what,
               objective_words(r.objective), b.racks, b.rack, packaging_text(b), b.chips, b.wall_s.value / kDay, b.wall_s.low / kDay,
               b.wall_s.high / kDay, money_text(b.capex_usd.value), b.peak_power_MW, b.binding);
    print_header(moe);
    for (size_t i = 0; i < a.options.size(); ++i) print_row(static_cast<int>(i + 1), a.options[i], moe);
  }
  print_rejected(a);
  for (const auto& s : memory_limit_lines(r, c, a)) fmt::print("{}\n", s);
  const auto& shown = a.options.empty() ? a.closest : a.options;
  const bool ends = std::any_of(shown.begin(), shown.end(), [](const auto& o) { return size::embedding_loss_stages(o.execution); });
  fmt::print("global batch {} sequences{}; ZeRO-1, sequence parallelism with TP, BF16{}. days: time-to-train with failures, "
             "checkpoints and restarts (goodput), band from the chip family's validation spread; * an assumed band (no training "
             "measurement of that chip) or a price/power/rate assumption. TCO: capex share over the run + energy + maintenance.\n",
             r.global_batch, r.batch_tolerance > 0 ? fmt::format(" +-{:.0f}% (a multiple of dp x micro-batch, x pp when interleaved)", 100 * r.batch_tolerance) : "",
             ends ? std::string("; ") + size::embedding_loss_legend : std::string());
  fmt::print("searched {} configurations: every parallel layout screened, the best {} of each bracketed over rack counts.\n", c.size(),
             r.refine);
}

void print_size_json(const size::Request& r, const std::vector<size::Candidate>& c, const size::Answer& a) {
  nlohmann::json j;
  j["model"] = r.model.name;
  j["tokens"] = r.tokens;
  j["deadline_days"] = r.deadline_s / kDay;
  j["objective"] = size::objective_name(r.objective);
  j["global_batch"] = r.global_batch;
  j["configurations"] = nlohmann::json::array();
  for (const auto& k : c) j["configurations"].push_back(k.file);
  j["options"] = nlohmann::json::array();
  for (const auto& o : a.options) j["options"].push_back(option_json(o));
  j["closest"] = nlohmann::json::array();
  for (const auto& o : a.closest) j["closest"].push_back(option_json(o));
  j["advice"] = a.advice;
  j["limits"] = memory_limit_lines(r, c, a);
  j["rejected"] = a.rejected;
  fmt::print("{}\n", j.dump(2));
}

}  // namespace rackscope::cli
