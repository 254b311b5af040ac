#include "io/sweep_reader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "io/did_you_mean.hpp"
#include "sweep/knobs.hpp"
#include "sweep/space.hpp"

namespace rackscope::io {
namespace fs = std::filesystem;
using sweep::Axis;
using sweep::Target;
using sweep::Value;

namespace {
constexpr int64_t kMaxValues = 10'000'000;  // per axis

// Result columns an objective may name.
const std::vector<std::string> kObjectiveColumns = {"step_time_s", "tokens_per_s", "mfu",      "hfu",     "memory_per_chip_B", "time_to_train_s",
                                                    "cost_usd",    "power_W",      "energy_J", "chips",   "ranks"};

long line_of(const toml::node& n) { return static_cast<long>(n.source().begin.line); }

struct Reader {
  const std::string& file;
  fs::path dir;

  [[noreturn]] void fail(const toml::node& at, const std::string& key, const std::string& problem, const std::string& valid = {}) const {
    throw InputError({file, line_of(at)}, key, problem, valid);
  }

  // A scalar TOML value as an axis value.
  Value scalar(const toml::node& n, const std::string& key) const {
    if (const auto* v = n.as_integer()) return v->get();
    if (const auto* v = n.as_floating_point()) {
      if (!std::isfinite(v->get())) fail(n, key, "must be finite");
      return v->get();
    }
    if (const auto* v = n.as_string()) return v->get();
    if (const auto* v = n.as_boolean()) return v->get();
    fail(n, key, "expected an integer, number, string or boolean");
  }

  std::string path_in_spec(const toml::node& n, const std::string& key, bool absolute) const {
    if (!n.is_string()) fail(n, key, "expected a file path", "a path relative to the sweep file");
    const fs::path p(n.as_string()->get());
    fs::path out = p.is_absolute() ? p : dir / p;
    // A file reference set inside a cluster is resolved against the file holding it, so it
    // must be absolute to mean the file the sweep names.
    if (absolute) out = fs::absolute(out);
    return out.lexically_normal().string();
  }

  // `range = { from, to, step | factor }`.
  std::vector<Value> range(const toml::node& node, const std::string& key) const {
    const auto* t = node.as_table();
    if (!t) fail(node, key, "expected a table", "{ from = 1, to = 64 } with optional step = 1 or factor = 2");
    for (const auto& [k, v] : *t)
      if (k.str() != "from" && k.str() != "to" && k.str() != "step" && k.str() != "factor")
        fail(v, key + "." + std::string(k.str()), "unknown key", "from, to, step, factor");
    const toml::node* from = t->get("from");
    const toml::node* to = t->get("to");
    if (!from || !to) fail(node, key, "needs from and to", "{ from = 1, to = 64 }");
    const toml::node* step = t->get("step");
    const toml::node* factor = t->get("factor");
    if (step && factor) fail(*factor, key + ".factor", "give step or factor, not both");
    const bool integers = from->is_integer() && to->is_integer() && (!step || step->is_integer()) && (!factor || factor->is_integer());
    auto num = [&](const toml::node& n, const std::string& k) {
      if (!n.is_number()) fail(n, key + "." + k, "expected a number");
      return n.is_integer() ? static_cast<double>(n.as_integer()->get()) : n.as_floating_point()->get();
    };
    const double a = num(*from, "from"), b = num(*to, "to");
    const double s = step ? num(*step, "step") : 1, f = factor ? num(*factor, "factor") : 0;
    if (b < a) fail(node, key, fmt::format("empty range: from {} is above to {}", a, b), "from <= to");
    if (step && !(s > 0)) fail(*step, key + ".step", "must be positive", "a number > 0");
    if (factor && !(f > 1)) fail(*factor, key + ".factor", "must be above 1", "a number > 1");
    std::vector<Value> out;
    // Integer ranges count exactly; number ranges stop within a relative 1e-9 of `to`.
    const double slack = integers ? 0 : 1e-9 * std::max(std::abs(a), std::abs(b));
    for (int64_t i = 0;; ++i) {
      const double x = factor ? a * std::pow(f, static_cast<double>(i)) : a + s * static_cast<double>(i);
      if (x > b + slack) break;
      if (static_cast<int64_t>(out.size()) >= kMaxValues) fail(node, key, "more than 10,000,000 values", "a coarser step");
      if (integers) out.emplace_back(static_cast<int64_t>(std::llround(x)));
      else out.emplace_back(x);
    }
    return out;
  }

  std::vector<Value> values(const toml::node& node, const std::string& key) const {
    const auto* arr = node.as_array();
    if (!arr || arr->empty()) fail(node, key, "expected a non-empty array", "e.g. values = [8, 16, 32]");
    std::vector<Value> out;
    for (const auto& e : *arr) {
      out.push_back(scalar(e, key));
      if (out.back().index() != out.front().index())
        fail(e, key, "mixes value types", "values of one type: all integers, numbers, strings or booleans");
    }
    return out;
  }
};

// An optional top-level table of the spec, or nullptr.
const toml::table* optional_table(const toml::table& root, StrictTable& top, const std::string& key) {
  const toml::node* n = root.get(key);
  if (n && !n->is_table()) top.fail(key, "expected a table");
  return n ? n->as_table() : nullptr;
}

const std::vector<std::string>& axis_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> k = {"cluster", "profile", "racks", "chip", "rack"};
    for (const auto& n : sweep::knob_names()) k.push_back(n);
    return k;
  }();
  return keys;
}

Axis read_axis(const Reader& rd, StrictTable& t, const toml::table& raw) {
  t.expect({"key", "values", "range"});
  Axis a;
  a.name = t.string("key");
  a.line = t.location("key").line;
  const toml::node* list = raw.get("values");
  const toml::node* range = raw.get("range");
  if (!list && !range) t.fail("values", "an axis needs values = [...] or range = { from, to }");
  if (list && range) t.fail("range", "give values or range, not both");
  const std::string vkey = list ? "values" : "range";
  const toml::node& vnode = list ? *list : *range;
  const bool is_set = a.name.rfind("set.", 0) == 0 && a.name.size() > 4;
  const int knob = sweep::find_knob(a.name);
  if (!is_set && knob < 0 && std::find(axis_keys().begin(), axis_keys().end(), a.name) == axis_keys().end()) {
    const std::string guess = closest_match(a.name, axis_keys());
    t.fail("key", "unknown axis key \"" + a.name + "\"" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"),
           fmt::format("{}", fmt::join(axis_keys(), ", ")) + ", set.<path inside the cluster>");
  }
  const bool files = a.name == "cluster" || a.name == "profile" || a.name == "chip" || a.name == "rack";
  if (files) {
    if (!list) t.fail("range", "a file axis takes a list", "values = [\"path\", ...]");
    const auto* arr = list->as_array();
    if (!arr || arr->empty()) t.fail("values", "expected a non-empty array of file paths");
    for (const auto& e : *arr) a.values.emplace_back(rd.path_in_spec(e, t.full_key("values"), a.name == "chip" || a.name == "rack"));
  } else {
    a.values = list ? rd.values(vnode, t.full_key(vkey)) : rd.range(vnode, t.full_key(vkey));
  }
  if (a.name == "cluster") a.target = Target::cluster;
  else if (a.name == "profile") a.target = Target::profile;
  else if (is_set || a.name == "racks" || a.name == "chip" || a.name == "rack") {
    a.target = Target::set;
    a.override_path = is_set ? a.name.substr(4) : a.name == "chip" ? "rack.chip" : a.name;
    a.units = a.name == "racks" ? "racks" : "as the input key";
  } else {
    a.target = Target::knob;
    const auto& k = sweep::knobs()[knob];
    a.units = k.units;
    const auto* arr = vnode.as_array();
    for (size_t j = 0; j < a.values.size(); ++j) {
      if (auto bad = sweep::check_knob(k, a.values[j]))
        throw InputError({rd.file, arr ? line_of(*arr->get(j)) : line_of(vnode)}, t.full_key(vkey), bad->first, bad->second);
    }
  }
  if (a.name == "racks")
    for (const auto& v : a.values)
      if (!std::holds_alternative<int64_t>(v) || std::get<int64_t>(v) < 1) t.fail(vkey, "racks are counted in whole racks", "integers >= 1");
  return a;
}

std::optional<double> limit(const Reader& rd, const toml::table& raw, const std::string& key, units::Dimension d, bool has_unit) {
  const toml::node* n = raw.get(key);
  if (!n) return std::nullopt;
  double v = 0;
  if (has_unit) {
    if (!n->is_string()) rd.fail(*n, "constraints." + key, "expected a quantity string", units::describe(d));
    std::string why;
    const auto q = units::parse(n->as_string()->get(), d, &why);
    if (!q) rd.fail(*n, "constraints." + key, why, units::describe(d));
    v = *q;
  } else {
    if (!n->is_number()) rd.fail(*n, "constraints." + key, "expected a number");
    v = n->is_integer() ? static_cast<double>(n->as_integer()->get()) : n->as_floating_point()->get();
  }
  if (!(v > 0) || !std::isfinite(v)) rd.fail(*n, "constraints." + key, "must be positive");
  return v;
}

// The sections of a sweep file, read in this order (so is the first error reported).

// [[workloads]]: the models to train, each with the tokens of a training run.
void read_workloads(const Reader& rd, const toml::table& root, StrictTable& top, sweep::Spec& spec) {
  const toml::node* wl = root.get("workloads");
  if (!wl || !wl->is_array_of_tables() || wl->as_array()->empty())
    top.fail("workloads", "a sweep needs at least one [[workloads]] entry", "[[workloads]] model = \"../models/x.toml\"");
  size_t wi = 0;
  for (const auto& node : *wl->as_array()) {
    const auto& raw = *node.as_table();
    StrictTable t(raw, spec.file, fmt::format("workloads[{}]", wi++));
    t.expect({"model", "train_tokens"});
    sweep::Workload w;
    w.line = line_of(node);
    if (!raw.get("model")) t.fail("model", "missing required key", "a model file, relative to the sweep file");
    w.model = rd.path_in_spec(*raw.get("model"), t.full_key("model"), false);
    if (raw.get("train_tokens")) w.train_tokens = t.positive_number("train_tokens");
    w.name = fs::path(w.model).stem().string();
    spec.workloads.push_back(w);
  }
}

// [execution]: every knob an axis does not vary; returns the knobs fixed there.
std::set<std::string> read_base_execution(const Reader& rd, const toml::table& root, StrictTable& top, sweep::Spec& spec) {
  std::set<std::string> fixed;
  if (const toml::table* ex = optional_table(root, top, "execution")) {
    StrictTable t(*ex, spec.file, "execution");
    t.expect(sweep::knob_names());
    for (const auto& [k, v] : *ex) {
      const std::string key(k.str());
      const int knob = sweep::find_knob(key);
      const Value value = rd.scalar(v, t.full_key(key));
      if (auto bad = sweep::check_knob(sweep::knobs()[knob], value)) rd.fail(v, t.full_key(key), bad->first, bad->second);
      sweep::apply_knob(spec.execution, knob, value);
      fixed.insert(key);
    }
  }
  spec.dp_given = fixed.count("dp") > 0;
  return fixed;
}

// [[axes]], then their enumeration order: cluster-shaping ones first (a rank keeps a cluster's
// fabric while it works through that cluster's configurations), then the workload, the rest.
void read_axes(const Reader& rd, const toml::table& root, StrictTable& top, const std::set<std::string>& fixed, sweep::Spec& spec) {
  std::vector<Axis> axes;
  if (const toml::node* ax = root.get("axes")) {
    if (!ax->is_array_of_tables()) top.fail("axes", "expected [[axes]] tables", "[[axes]] key = \"tp\" values = [8, 16]");
    size_t i = 0;
    for (const auto& node : *ax->as_array()) {
      StrictTable t(*node.as_table(), spec.file, fmt::format("axes[{}]", i));
      Axis a = read_axis(rd, t, *node.as_table());
      ++i;
      for (const auto& other : axes)
        if (other.name == a.name) t.fail("key", "axis \"" + a.name + "\" is declared twice", "one [[axes]] per key");
      if (fixed.count(a.name)) t.fail("key", "\"" + a.name + "\" is also fixed in [execution]", "vary it or fix it, not both");
      axes.push_back(std::move(a));
    }
  }
  Axis workload_axis;
  workload_axis.name = "workload";
  workload_axis.target = Target::workload;
  for (const auto& w : spec.workloads) workload_axis.values.emplace_back(w.model);
  for (const auto& a : axes)
    if (a.shapes_cluster()) spec.axes.push_back(a);
  spec.axes.push_back(workload_axis);
  for (const auto& a : axes)
    if (!a.shapes_cluster()) spec.axes.push_back(a);
}

bool has_axis(const sweep::Spec& spec, const std::string& name) {
  return std::any_of(spec.axes.begin(), spec.axes.end(), [&](const Axis& a) { return a.name == name; });
}

// cluster, profile: each named at the top level or varied by an axis, not both.
void read_base_files(const Reader& rd, const toml::table& root, StrictTable& top, sweep::Spec& spec) {
  auto base_file = [&](const std::string& key, const std::string& example, std::string& path, long& line) {
    const toml::node* n = root.get(key);
    if (has_axis(spec, key)) {
      if (n) top.fail(key, "also an axis", "one of " + key + " = \"...\" or [[axes]] key = \"" + key + "\"");
      return;
    }
    if (!n) top.fail(key, "missing: name a file here or in an axis", key + " = \"" + example + "\"");
    path = rd.path_in_spec(*n, key, false);
    line = line_of(*n);
  };
  base_file("cluster", "../../topologies/clusters/x.toml", spec.cluster, spec.cluster_line);
  base_file("profile", "../../topologies/compute/x.toml", spec.profile, spec.profile_line);
}

// [constraints]: limits a configuration must meet to count as feasible.
void read_constraints(const Reader& rd, const toml::table& root, StrictTable& top, sweep::Spec& spec) {
  if (const toml::table* table = optional_table(root, top, "constraints")) {
    const auto& raw = *table;
    StrictTable t(raw, spec.file, "constraints");
    t.expect({"max_memory_fraction", "max_racks", "max_chips", "max_cost_usd", "max_power"});
    if (auto v = limit(rd, raw, "max_memory_fraction", units::Dimension::dimensionless, false)) {
      if (*v > 1) rd.fail(*raw.get("max_memory_fraction"), "constraints.max_memory_fraction", "must be at most 1", "a fraction in (0, 1]");
      spec.constraints.max_memory_fraction = *v;
    }
    if (auto v = limit(rd, raw, "max_racks", units::Dimension::dimensionless, false)) spec.constraints.max_racks = static_cast<int64_t>(*v);
    if (auto v = limit(rd, raw, "max_chips", units::Dimension::dimensionless, false)) spec.constraints.max_chips = static_cast<int64_t>(*v);
    spec.constraints.max_cost_usd = limit(rd, raw, "max_cost_usd", units::Dimension::dimensionless, false);
    spec.constraints.max_power_W = limit(rd, raw, "max_power", units::Dimension::power, true);
  }
}

// [objectives]: the columns of the Pareto front (tokens/s when none are given).
void read_objectives(const toml::table& root, StrictTable& top, sweep::Spec& spec) {
  if (const toml::table* table = optional_table(root, top, "objectives")) {
    const auto& raw = *table;
    StrictTable t(raw, spec.file, "objectives");
    t.expect({"maximize", "minimize"});
    for (const char* dir : {"maximize", "minimize"}) {
      if (!raw.get(dir)) continue;
      for (const auto& name : t.string_list(dir, kObjectiveColumns)) {
        for (const auto& other : spec.objectives)
          if (other.column == name) t.fail(dir, "\"" + name + "\" is an objective twice");
        spec.objectives.push_back({name, std::string(dir) == "maximize"});
        if (name == "time_to_train_s" || name == "energy_J")
          for (const auto& w : spec.workloads)
            if (std::isnan(w.train_tokens))
              throw InputError({spec.file, w.line}, "train_tokens", "objective " + name + " needs the tokens of a training run",
                               "train_tokens = { value = 15.6e12, source = \"...\" }");
      }
    }
  }
  if (spec.objectives.empty()) spec.objectives.push_back({"tokens_per_s", true});
}

// [run]: how the work is cut (configurations and seconds per checkpoint, smallest chunk).
void read_run(const Reader& rd, const toml::table& root, StrictTable& top, sweep::Spec& spec) {
  if (const toml::table* table = optional_table(root, top, "run")) {
    const auto& raw = *table;
    StrictTable t(raw, spec.file, "run");
    t.expect({"checkpoint_every", "checkpoint_seconds", "min_chunk"});
    if (const toml::node* n = raw.get("checkpoint_seconds")) {
      if (!n->is_integer() || n->as_integer()->get() < 1 || n->as_integer()->get() > 86400)
        rd.fail(*n, "run.checkpoint_seconds", "expected a number of seconds", "an integer from 1 to 86400");
      spec.checkpoint_seconds = n->as_integer()->get();
    }
    for (const char* key : {"checkpoint_every", "min_chunk"}) {
      const toml::node* n = raw.get(key);
      if (!n) continue;
      if (!n->is_integer() || n->as_integer()->get() < 1) rd.fail(*n, std::string("run.") + key, "expected a positive integer", "an integer from 1");
      (std::string(key) == "min_chunk" ? spec.min_chunk : spec.checkpoint_every) = n->as_integer()->get();
    }
  }
}
}  // namespace

sweep::Spec read_sweep(const std::string& path, InputFiles& files) {
  Overrides none;
  const InputFile& f = files.load(path, "sweep", none);
  const toml::table& root = *f.table;
  sweep::Spec spec;
  spec.file = f.path;
  Reader rd{spec.file, fs::path(spec.file).parent_path()};
  StrictTable top = open_top(f, {"cluster", "profile", "workloads", "execution", "axes", "constraints", "objectives", "run"}, spec.name);
  read_workloads(rd, root, top, spec);
  const std::set<std::string> fixed = read_base_execution(rd, root, top, spec);
  read_axes(rd, root, top, fixed, spec);
  read_base_files(rd, root, top, spec);
  if (!has_axis(spec, "global_batch") && !fixed.count("global_batch"))
    top.fail("execution", "global_batch is neither fixed nor an axis", "[execution] global_batch = 1024");
  read_constraints(rd, root, top, spec);
  read_objectives(root, top, spec);
  read_run(rd, root, top, spec);
  top.finish();
  try {
    sweep::Space check(spec.axes);
  } catch (const std::invalid_argument& e) {
    top.fail("axes", e.what(), "fewer values");
  }
  return spec;
}

}  // namespace rackscope::io
