#include "sweep/evaluator.hpp"

#include <algorithm>
#include <optional>
#include <cmath>
#include <utility>
#include <stdexcept>

#include "econ/training_run.hpp"
#include "eval/evaluate.hpp"
#include "sweep/knobs.hpp"
#include "sweep/reasons.hpp"
#include "units/check.hpp"

namespace rackscope::sweep {

struct Evaluator::Cluster {
  hw::ClusterSpec spec;
  std::unique_ptr<fabric::Fabric> fabric;
  std::unique_ptr<collective::Planner> planner;
  std::optional<econ::ClusterFacts> facts;  // walked on the graph once per fabric
  uint64_t last_used = 0;
};

namespace {
// The sizing answer's columns for a feasible row with a time-to-train (econ/training_run).
void add_economics(const fabric::Fabric& f, const econ::ClusterFacts& facts, const workload::ModelSpec& model,
                   const eval::Report& rep, Result& r) {
  if (!std::isfinite(r.time_to_train_s)) return;
  if (f.spec().reliability) {
    const econ::WallTime w = econ::wall_time(f, facts, model, r.time_to_train_s);
    r.goodput = w.goodput;
    r.wall_time_s = w.wall_s;
  }
  if (!facts.capex) return;
  r.rack_capex_usd = facts.capex->rack_usd;
  r.cluster_capex_usd = facts.capex->cluster_usd;
  if (!std::isfinite(r.wall_time_s)) return;
  const econ::RunAtLoad run = econ::run_at_load(f, facts, rep, r.wall_time_s);
  r.load_power_W = run.load.facility_W;
  r.facility_energy_J = run.energy_J;
  r.tco_usd = run.tco_usd;
}
}  // namespace

Evaluator::Evaluator(const Spec& spec, Inputs inputs, size_t max_fabrics)
    : spec_(spec), space_(spec.axes), inputs_(std::move(inputs)), max_fabrics_(std::max<size_t>(1, max_fabrics)) {
  profile_axis_ = axis_of(spec, Target::profile);
  workload_axis_ = axis_of(spec, Target::workload);
  for (size_t k = 0; k < spec.axes.size(); ++k) {
    if (spec.axes[k].target != Target::knob) continue;
    knob_axes_.emplace_back(k, find_knob(spec.axes[k].name));
    if (spec.axes[k].name == "dp") derive_dp_ = false;
  }
  if (spec.dp_given) derive_dp_ = false;
}

Evaluator::~Evaluator() = default;

Evaluator::Cluster& Evaluator::cluster(int64_t c) {
  auto& slot = clusters_[c];
  if (!slot) {
    slot = std::make_unique<Cluster>();
    slot->spec = inputs_.cluster(c);
  }
  slot->last_used = ++clock_;
  return *slot;
}

void Evaluator::ensure_fabric(Cluster& c) {
  if (c.fabric) return;
  size_t live = 0;
  Cluster* oldest = nullptr;
  for (auto& [id, other] : clusters_) {
    if (!other->fabric) continue;
    ++live;
    if (!oldest || other->last_used < oldest->last_used) oldest = other.get();
  }
  if (live >= max_fabrics_ && oldest) {
    oldest->planner.reset();
    oldest->fabric.reset();
    oldest->facts.reset();
  }
  c.fabric = std::make_unique<fabric::Fabric>(c.spec);
  c.planner = std::make_unique<collective::Planner>(*c.fabric, c.spec.rack.chip.collectives);
  c.facts = econ::cluster_facts(*c.fabric, econ::Economics::optional);
  ++fabrics_built_;
}

Result Evaluator::evaluate(int64_t index) {
  // Outside [0, total) an index decodes to axis digits out of range (a negative one reads before
  // the axis's values): the caller's bug, reported as one, never a wild read.
  RACKSCOPE_ASSERT(index >= 0 && index < space_.total(), "configuration index out of the sweep's range");
  Result r;
  r.index = index;
  Cluster& cl = cluster(space_.cluster_of(index));
  const hw::Chip& chip = cl.spec.rack.chip;
  r.chips = static_cast<int64_t>(cl.spec.racks) * cl.spec.rack.chips;
  r.ranks = r.chips * chip.ranks_per_chip;

  workload::Execution e = spec_.execution;
  for (const auto& [k, knob] : knob_axes_) apply_knob(e, knob, spec_.axes[k].values[space_.digit(index, k)]);
  if (derive_dp_) e.dp = workload::derived_dp(r.ranks, e);  // 0: evaluate() reports ranks_mismatch
  r.dp = e.dp;
  const Workload& w = spec_.workloads[workload_axis_ < 0 ? 0 : space_.digit(index, workload_axis_)];
  const workload::ModelSpec& model = inputs_.models[workload_axis_ < 0 ? 0 : space_.digit(index, workload_axis_)];
  const compute::Profile& profile = inputs_.profiles[profile_axis_ < 0 ? 0 : space_.digit(index, profile_axis_)];

  // Size limits first: a cluster over them is never built.
  const auto& limits = spec_.constraints;
  if (limits.max_racks && cl.spec.racks > *limits.max_racks) {
    r.reason = reason_code(Constraint::racks);
    return r;
  }
  if (limits.max_chips && r.chips > *limits.max_chips) {
    r.reason = reason_code(Constraint::chips);
    return r;
  }
  ensure_fabric(cl);
  const eval::Report rep = eval::evaluate({*cl.fabric, *cl.planner, profile}, model, e);
  r.micro_batches = rep.micro_batches;
  if (rep.memory_per_chip_B > 0) r.memory_per_chip_B = rep.memory_per_chip_B;
  if (!rep.feasible()) {
    r.reason = reason_code(rep.reason);
    return r;
  }
  r.step_time_s = rep.step_time_s;
  r.tokens_per_s = rep.tokens_per_s;
  r.mfu = rep.mfu;
  r.hfu = rep.hfu;
  r.breakdown_s = rep.breakdown.s;
  r.time_to_train_s = w.train_tokens / rep.tokens_per_s;  // NaN without train_tokens
  if (chip.package) {
    r.cost_usd = static_cast<double>(r.chips) * chip.package->unit_cost_usd;
    r.power_W = static_cast<double>(r.chips) * chip.package->power_W;
    r.energy_J = r.power_W * r.time_to_train_s;
  }
  add_economics(*cl.fabric, *cl.facts, model, rep, r);
  if (rep.memory_per_chip_B > limits.max_memory_fraction * rep.memory_capacity_B) r.reason = reason_code(Constraint::memory_budget);
  else if (limits.max_cost_usd && !(r.cost_usd <= *limits.max_cost_usd)) r.reason = reason_code(Constraint::cost);
  else if (limits.max_power_W && !(r.power_W <= *limits.max_power_W)) r.reason = reason_code(Constraint::power);
  return r;
}

}  // namespace rackscope::sweep
