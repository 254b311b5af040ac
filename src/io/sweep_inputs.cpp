#include "io/sweep_inputs.hpp"

#include "io/cluster_reader.hpp"
#include "io/input_error.hpp"
#include "io/model_reader.hpp"
#include "io/read_text.hpp"
#include "sweep/space.hpp"

namespace rackscope::io {

using sweep::Axis;
using sweep::Spec;
using sweep::Target;

namespace {
// The cluster of variant `c`: the cluster file (axis or base) with the cluster-shaping axes'
// values as `--set` overrides. An override the cluster rejects is reported at its axis.
hw::ClusterSpec read_variant(const Spec& spec, const sweep::Space& space, int64_t c, InputFiles& files) {
  std::string path = spec.cluster;
  Overrides overrides;
  for (size_t k = 0; k < space.cluster_axes(); ++k) {
    const Axis& a = spec.axes[k];
    const sweep::Value& v = a.values[space.cluster_digit(c, k)];
    if (a.target == Target::cluster) path = std::get<std::string>(v);
    else overrides.add(a.override_path + "=" + sweep::override_text(v));
  }
  try {
    return read_cluster(path, overrides, files);
  } catch (const InputError& e) {
    // An error caused by an axis value names the axis in the spec, then the original message.
    for (size_t k = 0; k < space.cluster_axes(); ++k) {
      const Axis& a = spec.axes[k];
      if (a.target == Target::set && e.where().file.rfind("--set " + a.override_path + "=", 0) == 0)
        throw InputError({spec.file, a.line}, "axes." + a.name, e.what());
    }
    throw;
  }
}

std::vector<std::string> profile_paths(const Spec& spec) {
  const int axis = sweep::axis_of(spec, Target::profile);
  if (axis < 0) return {spec.profile};
  std::vector<std::string> out;
  for (const auto& v : spec.axes[axis].values) out.push_back(std::get<std::string>(v));
  return out;
}

// Chips' cost and power, needed by a constraint or objective, exist only for die-built chips.
void check_money(const Spec& spec, const hw::ClusterSpec& cluster, const std::string& needed_by) {
  if (needed_by.empty() || cluster.rack.chip.package) return;
  throw InputError({spec.file, 0}, needed_by,
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

// Every file the spec names directly must be readable; an error names the spec's line.
void check_readable(const Spec& spec) {
  auto check = [&](const std::string& path, long line, const std::string& key, const std::string& kind) {
    if (auto why = unreadable_input(path))
      throw InputError({spec.file, line}, key, cannot_read(path, *why),
                       "a path to an existing " + kind + " file, relative to the sweep file");
  };
  if (!spec.cluster.empty()) check(spec.cluster, spec.cluster_line, "cluster", "cluster");
  if (!spec.profile.empty()) check(spec.profile, spec.profile_line, "profile", "compute_profile");
  for (const auto& w : spec.workloads) check(w.model, w.line, "workloads.model", "model");
  for (const auto& a : spec.axes) {
    if (a.target == Target::workload || !std::holds_alternative<std::string>(a.values.front())) continue;
    if (a.target != Target::cluster && a.target != Target::profile && a.name != "chip" && a.name != "rack") continue;
    for (const auto& v : a.values)
      check(std::get<std::string>(v), a.line, "axes." + a.name, a.name == "profile" ? "compute_profile" : a.name);
  }
}
}  // namespace

Texts load_inputs(const Spec& spec) {
  check_readable(spec);
  const sweep::Space space(spec.axes);
  InputFiles files;
  const std::string money = money_needed_by(spec);
  for (int64_t c = 0; c < space.clusters(); ++c) check_money(spec, read_variant(spec, space, c, files), money);
  Overrides none;
  for (const auto& p : profile_paths(spec)) read_compute_profile(files.load(p, "compute_profile", none));
  for (const auto& w : spec.workloads) read_model(w.model, none, files);
  Texts texts;
  for (const auto& f : files.files()) texts.emplace(f->path, f->text);
  return texts;
}

sweep::Inputs sweep_inputs(const Spec& spec, std::shared_ptr<const Texts> texts) {
  sweep::Inputs in;
  InputFiles files;
  files.provide(texts);
  Overrides none;
  for (const auto& w : spec.workloads) in.models.push_back(read_model(w.model, none, files));
  for (const auto& p : profile_paths(spec)) in.profiles.push_back(read_compute_profile(files.load(p, "compute_profile", none)));
  // Each cluster is read afresh from the texts when the evaluator first needs it.
  in.cluster = [spec = std::make_shared<const Spec>(spec), space = sweep::Space(spec.axes), texts](int64_t c) {
    InputFiles files;
    files.provide(texts);
    return read_variant(*spec, space, c, files);
  };
  return in;
}

}  // namespace rackscope::io
