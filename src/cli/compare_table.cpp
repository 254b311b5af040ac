#include "cli/compare_table.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "size/layouts.hpp"

namespace rackscope::cli {
namespace {

constexpr double kDay = 86400;
const double kNaN = std::numeric_limits<double>::quiet_NaN();

using Cell = std::variant<double, std::string>;

void mark_best(CompareRow& row) {
  if (row.better == Better::none) return;
  double best = 0;
  for (size_t i = 0; i < row.values.size(); ++i) {
    const double* v = std::get_if<double>(&row.values[i]);
    if (!v || !std::isfinite(*v)) continue;
    if (row.best < 0 || (row.better == Better::higher ? *v > best : *v < best)) best = *v, row.best = static_cast<int>(i);
  }
}

std::string layout_text(const workload::Execution& e) {
  // MoE layouts name their expert parallelism (and expert TP when it differs from TP).
  const std::string experts = e.ep > 1 ? fmt::format(" ep{}{}", e.ep, workload::expert_grid_folded(e) ? fmt::format(" etp{}", e.etp) : "") : "";
  const std::string interleaved = e.vpp > 1 ? fmt::format(" vpp{}", e.vpp) : "";
  return fmt::format("tp{} pp{}{} cp{} dp{}{} mbs{} {}", e.tp, size::pipeline_text(e), interleaved, e.cp, e.dp, experts, e.micro_batch, size::recompute_text(e));
}

// Where a step goes, in percent of it: the chips computing (forward, backward, recompute, the
// optimizer and fixed overhead), communication left exposed (TP, CP, EP, pipeline sends, DP) and
// the pipeline's bubble; they add up to 100 but for rounding.
std::string step_split_text(const eval::Breakdown& b, double step_s) {
  using eval::Term;
  const double comm = b[Term::tp_comm] + b[Term::cp_comm] + b[Term::ep_comm] + b[Term::pp_comm] + b[Term::dp_comm];
  const double bubble = b[Term::pp_bubble];
  const double compute = step_s - comm - bubble;
  return fmt::format("{:.0f} / {:.0f} / {:.0f}", 100 * compute / step_s, 100 * comm / step_s, 100 * bubble / step_s);
}

// Rows of one configuration's model answer, by key; NaN where it has none.
struct ModelRows {
  const std::vector<std::optional<size::Option>>& best;
  const size::Request& r;
  Cell value(size_t c, const std::string& key) const {
    if (!best[c]) return key == "layout" ? Cell{std::string("no layout runs")} : Cell{kNaN};
    const size::Option& o = *best[c];
    if (key == "layout") return layout_text(o.execution);
    if (key == "racks") return static_cast<double>(o.racks);
    if (key == "chips") return static_cast<double>(o.chips);
    if (key == "step_time_s") return o.step_time_s;
    if (key == "tokens_per_s_per_rack") return o.tokens_per_s / o.racks;
    if (key == "mfu") return 100 * o.mfu;
    if (key == "step_split") return step_split_text(o.breakdown, o.step_time_s);
    if (key == "goodput") return 100 * o.goodput;
    if (key == "time_to_train_days") return o.wall_s.value / kDay;
    if (key == "time_to_train_band_days") return fmt::format("{:.0f}-{:.0f}{}", o.wall_s.low / kDay, o.wall_s.high / kDay, o.band_measured ? "" : " (assumed)");
    if (key == "capex_usd_M") return o.capex_usd.value / 1e6;
    if (key == "tco_usd_M") return o.tco_usd.value / 1e6;
    if (key == "tokens_per_usd") return r.tokens / o.tco_usd.value;
    if (key == "tokens_per_J") return r.tokens / (o.energy_MWh * 3.6e9);
    if (key == "peak_power_MW") return o.peak_power_MW;
    return kNaN;
  }
};

void add(CompareTable& t, std::string key, std::string label, Better b, int digits, std::vector<Cell> values) {
  CompareRow row{std::move(key), std::move(label), b, std::move(values), -1, digits};
  mark_best(row);
  t.rows.push_back(std::move(row));
}

void add_rack_rows(CompareTable& t, const std::vector<RackFacts>& k) {
  auto col = [&](auto f) {
    std::vector<Cell> v;
    for (const auto& x : k) v.push_back(f(x));
    return v;
  };
  add(t, "packaging", "packaging", Better::none, 0, col([](const RackFacts& x) { return Cell{x.packaging.empty() ? "-" : x.packaging}; }));
  add(t, "chips_per_rack", "chips per rack", Better::none, 0, col([](const RackFacts& x) { return Cell{double(x.chips)}; }));
  add(t, "hbm_GiB_per_chip", "HBM per chip (GiB)", Better::higher, 0, col([](const RackFacts& x) { return Cell{x.hbm_GiB}; }));
  add(t, "bf16_PFLOPs_per_chip", "BF16 dense per chip (PFLOP/s)", Better::higher, 2, col([](const RackFacts& x) { return Cell{x.bf16_PFLOPs}; }));
  add(t, "scale_up_GBps_per_chip", "scale-up per chip (GB/s, one way)", Better::higher, 0, col([](const RackFacts& x) { return Cell{x.scale_up_GBps}; }));
  add(t, "scale_out_GBps_per_chip", "scale-out per chip (GB/s, one way)", Better::higher, 1, col([](const RackFacts& x) { return Cell{x.scale_out_GBps}; }));
  add(t, "chip_cost_usd", "chip package cost ($)", Better::lower, 0, col([](const RackFacts& x) { return Cell{x.chip_usd}; }));
  add(t, "rack_price_usd_M", "rack price ($M)", Better::lower, 2, col([](const RackFacts& x) { return Cell{x.rack_usd / 1e6}; }));
  add(t, "rack_power_kW", "rack power, peak IT (kW)", Better::lower, 0, col([](const RackFacts& x) { return Cell{x.rack_kW}; }));
  add(t, "supply_chips", "chips deliverable by the quarter", Better::higher, 0, col([](const RackFacts& x) { return Cell{x.supply_chips}; }));
}

void add_model_rows(CompareTable& t, const ModelRows& m, size_t n) {
  struct Spec {
    const char* key;
    const char* label;
    Better b;
    int digits;
  };
  const Spec specs[] = {{"racks", "racks", Better::none, 0},
                        {"chips", "chips", Better::none, 0},
                        {"layout", "best layout", Better::none, 0},
                        {"step_time_s", "step time (s)", Better::none, 2},
                        {"tokens_per_s_per_rack", "tokens/s per rack", Better::higher, 0},
                        {"mfu", "MFU (%)", Better::higher, 1},
                        {"step_split", "compute / exposed comm / bubble (%)", Better::none, 0},
                        {"goodput", "goodput (%)", Better::higher, 1},
                        {"time_to_train_days", "time-to-train (days)", Better::lower, 1},
                        {"time_to_train_band_days", "  band (days)", Better::none, 0},
                        {"capex_usd_M", "capital cost ($M)", Better::none, 0},
                        {"tco_usd_M", "cost over the run ($M)", Better::lower, 0},
                        {"tokens_per_usd", "tokens per dollar", Better::higher, 0},
                        {"tokens_per_J", "tokens per joule", Better::higher, 3},
                        {"peak_power_MW", "peak facility power (MW)", Better::none, 1}};
  for (const auto& s : specs) {
    std::vector<Cell> v;
    for (size_t c = 0; c < n; ++c) v.push_back(m.value(c, s.key));
    add(t, s.key, s.label, s.b, s.digits, std::move(v));
  }
}

std::string col_of(const CompareTable& t, const std::string& key) {
  for (const auto& r : t.rows)
    if (r.key == key && r.best >= 0) return t.columns[r.best];
  return "none";
}

std::string cell_text(const CompareRow& row, size_t i) {
  if (const auto* s = std::get_if<std::string>(&row.values[i])) return *s;
  const double v = std::get<double>(row.values[i]);
  if (!std::isfinite(v)) return "n/a";
  return fmt::format("{:.{}f}", v, row.digits) + (static_cast<int>(i) == row.best ? " *" : "");
}

double row_value(const CompareTable& t, const std::string& key, size_t c) {
  for (const auto& r : t.rows)
    if (r.key == key)
      if (const double* v = std::get_if<double>(&r.values[c])) return *v;
  return kNaN;
}

std::string percent(double a, double b) { return std::isfinite(a / b) ? fmt::format("{:+.1f}%", 100 * (a / b - 1)) : "n/a"; }

// The same chip on two packagings (CoWoS and EMIB): the table holds them in two columns whose
// model rows may be nearly equal; the difference a buyer sees is price, supply and tokens per
// dollar, said in one sentence.
void add_packaging_sentences(CompareTable& t, const std::vector<RackFacts>& racks) {
  for (size_t a = 0; a < racks.size(); ++a)
    for (size_t b = 0; b < racks.size(); ++b) {
      if (a == b || racks[a].design != racks[b].design || racks[a].packaging.empty() || racks[b].packaging.empty()) continue;
      if (racks[a].packaging == racks[b].packaging || racks[a].packaging.rfind("CoWoS", 0) != 0 || racks[b].packaging.rfind("EMIB", 0) != 0) continue;
      const RackFacts& x = racks[b];  // EMIB
      const RackFacts& y = racks[a];  // CoWoS
      t.packaging.push_back(fmt::format(
          "{} ({}) against {} ({}), the same dies and HBM: package ${:.0f} vs ${:.0f} ({}), rack ${:.2f}M vs ${:.2f}M, time-to-train {:.1f} vs {:.1f} days, "
          "{:.0f} vs {:.0f} tokens per dollar ({}), {:.0f} vs {:.0f} chips deliverable.",
          x.name, x.packaging, y.name, y.packaging, x.chip_usd, y.chip_usd, percent(x.chip_usd, y.chip_usd), x.rack_usd / 1e6, y.rack_usd / 1e6,
          row_value(t, "time_to_train_days", b), row_value(t, "time_to_train_days", a), row_value(t, "tokens_per_usd", b),
          row_value(t, "tokens_per_usd", a), percent(row_value(t, "tokens_per_usd", b), row_value(t, "tokens_per_usd", a)), x.supply_chips,
          y.supply_chips));
    }
}

}  // namespace

CompareTable compare_table(const size::Request& r, const std::vector<RackFacts>& racks, const std::vector<std::optional<size::Option>>& best,
                           int stated_racks) {
  CompareTable t;
  for (const auto& k : racks) t.columns.push_back(k.name);
  add_rack_rows(t, racks);
  add_model_rows(t, ModelRows{best, r}, racks.size());
  for (const auto& o : best)
    t.bands.push_back(o ? std::optional<CompareTable::Band>({o->wall_s.low / kDay, o->wall_s.high / kDay, o->band_measured}) : std::nullopt);
  const std::string basis = stated_racks > 0 ? fmt::format("{} racks each", stated_racks)
                                             : fmt::format("${:.2f}B of capital each", r.budget_usd.value_or(0) / 1e9);
  t.title = fmt::format("With {}, {} trains {} on {:.2f}T tokens fastest; {} gives the most tokens per dollar; {} can be supplied in the "
                        "largest numbers{}.",
                        basis, col_of(t, "time_to_train_days"), r.model.name, r.tokens / 1e12, col_of(t, "tokens_per_usd"),
                        col_of(t, "supply_chips"), r.quarter.empty() ? " (in the chips' supply quarter)" : " by " + r.quarter);
  add_packaging_sentences(t, racks);
  t.notes.push_back("* marks the best value of a row. Time-to-train includes failures, checkpoints and restarts (goodput); its band is "
                    "the chip family's validation spread, '(assumed)' where no training measurement of the chip exists.");
  if (std::any_of(best.begin(), best.end(), [](const auto& o) { return o && size::embedding_loss_stages(o->execution); }))
    t.notes.push_back(std::string(size::embedding_loss_legend) + " (Llama 3's pipeline).");
  for (size_t c = 0; c < best.size(); ++c)
    if (best[c] && !std::isfinite(best[c]->goodput)) {
      t.notes.push_back("goodput n/a: the cluster names no reliability file, so its time-to-train counts no failures, checkpoints or restarts.");
      break;
    }
  std::vector<std::string> assumed;
  for (const auto& k : racks)
    if (k.assumed) assumed.push_back(k.name);
  if (!assumed.empty())
    t.notes.push_back(fmt::format("Prices or powers of {} rest on assumptions stated in topologies/economics/ (JSON: prices_assumed).",
                                  fmt::join(assumed, ", ")));
  for (const auto& k : racks) t.prices_assumed.push_back(k.assumed);
  return t;
}

void print_compare_text(const CompareTable& t) {
  fmt::print("{}\n", t.title);
  for (const auto& p : t.packaging) fmt::print("{}\n", p);
  fmt::print("\n");
  size_t label_w = 0;
  for (const auto& r : t.rows) label_w = std::max(label_w, r.label.size());
  std::vector<size_t> w(t.columns.size());
  for (size_t c = 0; c < t.columns.size(); ++c) {
    w[c] = t.columns[c].size();
    for (const auto& r : t.rows) w[c] = std::max(w[c], cell_text(r, c).size());
  }
  fmt::print("{:<{}}", "", label_w);
  for (size_t c = 0; c < t.columns.size(); ++c) fmt::print("  {:>{}}", t.columns[c], w[c]);
  fmt::print("\n");
  for (const auto& r : t.rows) {
    fmt::print("{:<{}}", r.label, label_w);
    for (size_t c = 0; c < t.columns.size(); ++c) fmt::print("  {:>{}}", cell_text(r, c), w[c]);
    fmt::print("\n");
  }
  for (const auto& n : t.notes) fmt::print("{}\n", n);
}

void print_compare_json(const CompareTable& t) {
  nlohmann::json out = nlohmann::json::array();
  for (size_t c = 0; c < t.columns.size(); ++c) {
    nlohmann::json j{{"configuration", t.columns[c]}};
    for (const auto& r : t.rows) {
      if (const auto* s = std::get_if<std::string>(&r.values[c])) j[r.key] = *s;
      else {
        const double v = std::get<double>(r.values[c]);
        // Counts (racks, chips) print as integers, not 39.0.
        const bool whole = std::isfinite(v) && std::fabs(v) < 9e15 && v == std::floor(v);
        j[r.key] = whole ? nlohmann::json(static_cast<int64_t>(v)) : std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
      }
      if (r.better != Better::none) j["best"][r.key] = static_cast<int>(c) == r.best;
    }
    if (c < t.prices_assumed.size()) j["prices_assumed"] = static_cast<bool>(t.prices_assumed[c]);
    if (c < t.memory_capped_racks.size() && t.memory_capped_racks[c] > 0) j["racks_searched_up_to"] = t.memory_capped_racks[c];
    if (c < t.bands.size() && t.bands[c]) {
      j["time_to_train_low_days"] = t.bands[c]->low_days;
      j["time_to_train_high_days"] = t.bands[c]->high_days;
      j["time_to_train_band_measured"] = t.bands[c]->measured;
    }
    out.push_back(j);
  }
  fmt::print("{}\n", out.dump(2));
}

}  // namespace rackscope::cli
