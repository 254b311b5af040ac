#include "size/price.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "size/quarter.hpp"

namespace rackscope::size {
namespace {

constexpr double kJoulesPerMWh = 3.6e9;
// Without --quarter, chips count as delivered over the sheet's supply quarter and the next: an
// assumed two-quarter lead from order to a running cluster.
constexpr int kDefaultLeadQuarters = 2;

// Where a number fails, the option is rejected with the first limit it breaks.
struct Slack {
  const char* name;
  double slack;  // 1 - used / allowed: 0 at the limit, negative beyond it
};

void bind(Option& o, const std::vector<Slack>& slacks) {
  const Slack* least = nullptr;
  for (const auto& s : slacks)
    if (std::isfinite(s.slack) && (!least || s.slack < least->slack)) least = &s;
  o.binding = least ? least->name : "deadline";
  o.feasible = true;
  for (const auto& s : slacks)
    if (s.slack < 0) {
      o.feasible = false;
      o.reject = std::string("over_") + s.name;
      break;
    }
}

double objective_value(Objective obj, const Option& o) {
  switch (obj) {
    case Objective::cost: return o.tco_usd.value;
    case Objective::energy: return o.energy_MWh;
    case Objective::time: return o.wall_s.value;
  }
  return o.tco_usd.value;
}

// Time-to-train with failures: Daly's expected wall time for the work (econ/training_run).
void add_goodput(const Request& r, const fabric::Fabric& f, const ClusterFacts& facts, Option& o) {
  const econ::WallTime w = econ::wall_time(f, facts, r.model, o.work_s);
  o.wall_s.value = w.wall_s;
  o.goodput = w.goodput;
  o.interruptions = w.interruptions;
  o.checkpoint_interval_s = w.checkpoint_interval_s;
  o.assumed = o.assumed || w.assumed;
}

// The band measured for this chip family's compute profile (validation spread), applied to the
// training time; the running part of the cost scales with it.
void add_band(const hw::ComputeProfile& p, Option& o) {
  o.band_measured = p.accuracy_measured;
  o.wall_s.low = o.wall_s.value * (1 - p.time_error_low);
  o.wall_s.high = o.wall_s.value * (1 + p.time_error_high);
}

void add_cost(const fabric::Fabric& f, const ClusterFacts& facts, const eval::Report& step, Option& o) {
  const econ::Capex& capex = *facts.capex;
  const econ::RunAtLoad run = econ::run_at_load(f, facts, step, o.wall_s.value);
  o.capex_usd = {capex.cluster_usd, capex.cluster_usd, capex.cluster_usd};
  o.load_power_MW = run.load.facility_W / 1e6;
  o.peak_power_MW = facts.peak->facility_W / 1e6;
  o.energy_MWh = run.energy_J / kJoulesPerMWh;
  o.tco_usd.value = run.tco_usd;
  o.tco_usd.low = econ::run_at_load(f, facts, step, o.wall_s.low).tco_usd;
  o.tco_usd.high = econ::run_at_load(f, facts, step, o.wall_s.high).tco_usd;
  o.assumed = o.assumed || capex.assumed;
}

}  // namespace

Supply supply_by(const hw::Chip& chip, const std::string& quarter) {
  Supply s;
  if (!chip.package) return s;
  s.known = true;
  const auto& band = chip.package->supply;
  const int quarters = quarter.empty() ? kDefaultLeadQuarters : quarter_index(quarter) - quarter_index(band.quarter) + 1;
  if (quarters <= 0) return s;
  s.low = band.low * quarters;
  s.base = band.base * quarters;
  s.high = band.high * quarters;
  return s;
}

Option price(const Request& r, const Candidate& c, int candidate, const fabric::Fabric& f, const ClusterFacts& facts,
             const eval::Report& step, const workload::Execution& e) {
  Option o;
  o.candidate = candidate;
  o.rack = c.spec.rack.name;
  const hw::Chip& chip = c.spec.rack.chip;
  o.packaging = chip.package ? chip.package->packaging : "";
  o.racks = f.racks();
  o.chips = f.chips();
  o.execution = e;
  if (!step.feasible()) {
    o.reject = workload::infeasibility_name(step.reason);
    return o;
  }
  o.step_time_s = step.step_time_s;
  o.tokens_per_s = step.tokens_per_s;
  o.mfu = step.mfu;
  o.breakdown = step.breakdown;
  o.memory_fraction = step.memory_per_chip_B / step.memory_capacity_B;
  o.work_s = r.tokens / step.tokens_per_s;
  add_goodput(r, f, facts, o);
  add_band(chip.compute, o);
  add_cost(f, facts, step, o);
  const Supply s = supply_by(chip, r.quarter);
  o.supply_chips = s.base, o.supply_low = s.low, o.supply_high = s.high;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  bind(o, {{"deadline", 1 - o.wall_s.value / r.deadline_s},
           {"budget", r.budget_usd ? 1 - o.capex_usd.value / *r.budget_usd : nan},
           {"power", r.power_W ? 1 - o.peak_power_MW * 1e6 / *r.power_W : nan},
           {"supply", s.known ? 1 - o.chips / std::max(s.base, 1e-9) : nan},
           {"memory", 1 - o.memory_fraction}});
  o.objective = objective_value(r.objective, o);
  return o;
}

int racks_within_limits(const Request& r, const hw::ClusterSpec& c) {
  hw::ClusterSpec one = c;
  one.racks = 1;
  const fabric::Fabric f(one);
  double racks = r.max_racks;
  if (r.budget_usd) racks = std::min(racks, std::floor(*r.budget_usd / econ::capex(f).cluster_usd));
  if (r.power_W) racks = std::min(racks, std::floor(*r.power_W / econ::peak_power(f).facility_W));
  return static_cast<int>(std::max(1.0, racks));
}

bool meets_deadline(const Request& r, const Option& o) { return o.work_s > 0 && o.wall_s.value <= r.deadline_s; }

bool within_limits(const Request& r, const Option& o) {
  if (o.work_s <= 0) return false;
  if (r.budget_usd && o.capex_usd.value > *r.budget_usd) return false;
  if (r.power_W && o.peak_power_MW * 1e6 > *r.power_W) return false;
  return true;
}

}  // namespace rackscope::size
