#include "sweep/evaluator.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "eval/evaluate.hpp"
#include "io/cluster_reader.hpp"
#include "io/input_error.hpp"
#include "io/model_reader.hpp"
#include "sweep/knobs.hpp"
#include "sweep/reasons.hpp"

namespace rackscope::sweep {

struct Evaluator::Cluster {
  hw::ClusterSpec spec;
  std::unique_ptr<fabric::Fabric> fabric;
  std::unique_ptr<collective::Planner> planner;
  uint64_t last_used = 0;
};

namespace {
// The cluster of variant `c`: the cluster file (axis or base) with the cluster-shaping axes'
// values as `--set` overrides. An override the cluster rejects is reported at its axis.
hw::ClusterSpec read_variant(const Spec& spec, const Space& space, int64_t c, io::InputFiles& files) {
  std::string path = spec.cluster;
  io::Overrides overrides;
  for (size_t k = 0; k < space.cluster_axes(); ++k) {
    const Axis& a = spec.axes[k];
    const Value& v = a.values[space.cluster_digit(c, k)];
    if (a.target == Target::cluster) path = std::get<std::string>(v);
    else overrides.add(a.override_path + "=" + override_text(v));
  }
  try {
    return io::read_cluster(path, overrides, files);
  } catch (const io::InputError& e) {
    // An error caused by an axis value names the axis in the spec, then the original message.
    for (size_t k = 0; k < space.cluster_axes(); ++k) {
      const Axis& a = spec.axes[k];
      if (a.target == Target::set && e.where().file.rfind("--set " + a.override_path + "=", 0) == 0)
        throw io::InputError({spec.file, a.line}, "axes." + a.name, e.what());
    }
    throw;
  }
}

std::vector<std::string> profile_paths(const Spec& spec, int axis) {
  if (axis < 0) return {spec.profile};
  std::vector<std::string> out;
  for (const auto& v : spec.axes[axis].values) out.push_back(std::get<std::string>(v));
  return out;
}

int find_axis(const Spec& spec, Target t) {
  for (size_t k = 0; k < spec.axes.size(); ++k)
    if (spec.axes[k].target == t) return static_cast<int>(k);
  return -1;
}

// Chips' cost and power, needed by a constraint or objective, exist only for die-built chips.
void check_money(const Spec& spec, const hw::ClusterSpec& cluster, const std::string& needed_by) {
  if (needed_by.empty() || cluster.rack.chip.package) return;
  throw io::InputError({spec.file, 0}, needed_by,
                       "needs the chip's cost and power, but " + cluster.rack.chip.file + " states no package (dies, HBM, packaging)",
                       "chips built from [[dies]] and [[hbm]], or drop cost/power from constraints and objectives");
}

std::string money_needed_by(const Spec& spec) {
  if (spec.constraints.max_cost_usd) return "constraints.max_cost_usd";
  if (spec.constraints.max_power_W) return "constraints.max_power_W";
  for (const auto& o : spec.objectives)
    if (o.column == "cost_usd" || o.column == "power_W" || o.column == "energy_J") return "objectives." + o.column;
  return {};
}
}  // namespace

namespace {
// Every file the spec names directly must be readable; an error names the spec's line.
void check_readable(const Spec& spec) {
  auto check = [&](const std::string& path, long line, const std::string& key, const std::string& kind) {
    std::ifstream in(path);
    if (!in || std::filesystem::is_directory(path))
      throw io::InputError({spec.file, line}, key, "cannot read file '" + path + "'", "a path to an existing " + kind + " file, relative to the sweep file");
  };
  if (!spec.cluster.empty()) check(spec.cluster, spec.cluster_line, "cluster", "cluster");
  if (!spec.profile.empty()) check(spec.profile, spec.profile_line, "profile", "compute_profile");
  for (const auto& w : spec.workloads) check(w.model, w.line, "workloads.model", "model");
  for (const auto& a : spec.axes) {
    if (a.target == Target::workload || !std::holds_alternative<std::string>(a.values.front())) continue;
    if (a.target != Target::cluster && a.target != Target::profile && a.name != "chip" && a.name != "rack") continue;
    for (const auto& v : a.values) check(std::get<std::string>(v), a.line, "axes." + a.name, a.name == "profile" ? "compute_profile" : a.name);
  }
}
}  // namespace

Texts load_inputs(const Spec& spec) {
  check_readable(spec);
  const Space space(spec.axes);
  io::InputFiles files;
  const std::string money = money_needed_by(spec);
  for (int64_t c = 0; c < space.clusters(); ++c) check_money(spec, read_variant(spec, space, c, files), money);
  io::Overrides none;
  for (const auto& p : profile_paths(spec, find_axis(spec, Target::profile))) io::read_compute_profile(files.load(p, "compute_profile", none));
  for (const auto& w : spec.workloads) io::read_model(w.model, none, files);
  Texts texts;
  for (const auto& f : files.files()) texts.emplace(f->path, f->text);
  return texts;
}

Evaluator::Evaluator(const Spec& spec, std::shared_ptr<const Texts> texts, size_t max_fabrics)
    : spec_(spec), space_(spec.axes), texts_(std::move(texts)), max_fabrics_(std::max<size_t>(1, max_fabrics)) {
  io::InputFiles files;
  files.provide(texts_);
  io::Overrides none;
  for (const auto& w : spec.workloads) models_.push_back(io::read_model(w.model, none, files));
  profile_axis_ = find_axis(spec, Target::profile);
  workload_axis_ = find_axis(spec, Target::workload);
  for (const auto& p : profile_paths(spec, profile_axis_)) profiles_.push_back(io::read_compute_profile(files.load(p, "compute_profile", none)));
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
    io::InputFiles files;
    files.provide(texts_);
    slot->spec = read_variant(spec_, space_, c, files);
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
  }
  c.fabric = std::make_unique<fabric::Fabric>(c.spec);
  c.planner = std::make_unique<collective::Planner>(*c.fabric);
  ++fabrics_built_;
}

Result Evaluator::evaluate(int64_t index) {
  Result r;
  r.index = index;
  Cluster& cl = cluster(space_.cluster_of(index));
  const hw::Chip& chip = cl.spec.rack.chip;
  r.chips = static_cast<int64_t>(cl.spec.racks) * cl.spec.rack.chips;
  r.ranks = r.chips * chip.ranks_per_chip;

  workload::Execution e = spec_.execution;
  for (const auto& [k, knob] : knob_axes_) apply_knob(e, knob, spec_.axes[k].values[space_.digit(index, k)]);
  if (derive_dp_) {
    const int64_t split = static_cast<int64_t>(e.tp) * e.cp * e.pp;
    e.dp = r.ranks % split == 0 ? static_cast<int>(r.ranks / split) : 0;  // 0: evaluate() reports ranks_mismatch
  }
  r.dp = e.dp;
  const Workload& w = spec_.workloads[workload_axis_ < 0 ? 0 : space_.digit(index, workload_axis_)];
  const workload::ModelSpec& model = models_[workload_axis_ < 0 ? 0 : space_.digit(index, workload_axis_)];
  const compute::Profile& profile = profiles_[profile_axis_ < 0 ? 0 : space_.digit(index, profile_axis_)];

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
  const auto& terms = breakdown_terms();
  for (const auto& [name, s] : rep.breakdown) {
    size_t t = 0;
    while (t < terms.size() && terms[t] != name) ++t;
    if (t == terms.size())
      throw std::logic_error("evaluate() reports a breakdown term '" + name + "' the sweep schema lacks (src/sweep/layout.cpp)");
    r.breakdown_s[t] = s;
  }
  r.time_to_train_s = w.train_tokens / rep.tokens_per_s;  // NaN without train_tokens
  if (chip.package) {
    r.cost_usd = static_cast<double>(r.chips) * chip.package->unit_cost_usd;
    r.power_W = static_cast<double>(r.chips) * chip.package->power_W;
    r.energy_J = r.power_W * r.time_to_train_s;
  }
  if (rep.memory_per_chip_B > limits.max_memory_fraction * rep.memory_capacity_B) r.reason = reason_code(Constraint::memory_budget);
  else if (limits.max_cost_usd && !(r.cost_usd <= *limits.max_cost_usd)) r.reason = reason_code(Constraint::cost);
  else if (limits.max_power_W && !(r.power_W <= *limits.max_power_W)) r.reason = reason_code(Constraint::power);
  return r;
}

}  // namespace rackscope::sweep
