#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <memory>

#include "cli/commands.hpp"
#include "cli/terms_json.hpp"
#include "eval/evaluate.hpp"
#include "io/input_error.hpp"
#include "io/model_reader.hpp"
#include "workload/counts.hpp"
#include "workload/knobs.hpp"

namespace rackscope::cli {
namespace {
// What `step` parsed for each knob (by its index in workload::knobs()), and whether it was given.
struct KnobFlags {
  std::vector<std::string> texts;
  std::unique_ptr<bool[]> flags;
  std::vector<CLI::Option*> options;
};

struct Options {
  std::string cluster, model, profile;
  KnobFlags knobs;
  bool json = false;
  std::vector<std::string> sets;
};

void add_knob_flags(CLI::App& cmd, KnobFlags& f) {
  using K = workload::Knob::Kind;
  const auto& all = workload::knobs();
  f.texts.assign(all.size(), "");
  f.flags = std::make_unique<bool[]>(all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    const workload::Knob& k = all[i];
    CLI::Option* opt = nullptr;
    if (k.kind == K::integer) {
      opt = cmd.add_option(k.flag, f.texts[i], k.help);  // text: checked against the knob's range in execution_from
    } else if (k.kind == K::boolean) {
      f.flags[i] = false;
      opt = cmd.add_flag(k.flag, f.flags[i], k.help);
    } else {
      opt = cmd.add_option(k.flag, f.texts[i], k.help);
    }
    if (k.step_required) opt->required();
    f.options.push_back(opt);
  }
}

// An integer flag's value, whole and within the knob's range (0 is never "the default": omit the flag).
int64_t integer_flag(const workload::Knob& k, const std::string& text) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  const std::string valid = fmt::format("an integer from {} to {}", k.min, k.max);
  if (ec == std::errc::result_out_of_range || (ec == std::errc() && end == text.data() + text.size() && (v < k.min || v > k.max)))
    throw io::InputError({k.flag, 0}, text, "is out of range", valid);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) throw io::InputError({k.flag, 0}, text, "is not an integer", valid);
  return v;
}

// The execution the flags describe, checked: every knob given is set, the others keep
// Execution's defaults.
workload::Execution execution_from(const Options& o) {
  using K = workload::Knob::Kind;
  workload::Execution e;
  const KnobFlags& f = o.knobs;
  const auto& all = workload::knobs();
  for (size_t i = 0; i < all.size(); ++i) {
    const workload::Knob& k = all[i];
    if (f.options[i]->count() == 0) continue;
    const std::string& text = f.texts[i];
    switch (k.kind) {
      case K::integer:
        e.*k.integer = static_cast<int>(integer_flag(k, text));
        break;
      case K::boolean: e.*k.boolean = k.flag.rfind("--no-", 0) != 0; break;
      case K::choice: {
        const auto c = std::find(k.choices.begin(), k.choices.end(), text);
        if (c == k.choices.end()) throw io::InputError({k.flag, 0}, text, k.unknown_choice, fmt::format("{}", fmt::join(k.choices, ", ")));
        k.set_choice(e, static_cast<int>(c - k.choices.begin()));
        break;
      }
      case K::order:
        e.order = workload::split_order(text);
        if (!workload::is_rank_order(e.order))
          throw io::InputError({k.flag, 0}, text, "must name tp, cp, ep, dp and pp once each", "tp,cp,ep,dp,pp");
        break;
    }
  }
  return e;
}

// The compute profile: the chip's, or --profile's.
compute::Profile profile_for(const Options& o, const hw::ClusterSpec& spec, io::InputFiles& files) {
  io::Overrides none;
  compute::Profile profile = spec.rack.chip.compute;
  if (!o.profile.empty()) profile = io::read_compute_profile(files.load(o.profile, "compute_profile", none));
  if (profile.file.empty())
    throw io::InputError({spec.rack.chip.file, 0}, "compute_profile", "the chip names no compute profile",
                         "compute_profile = \"../compute/CHIP.toml\" in the chip file, or --profile FILE");
  return profile;
}

constexpr double gib = 1073741824.0;

int print_json(const hw::ClusterSpec& spec, const workload::ModelSpec& model, const compute::Profile& profile, const workload::Execution& e,
               const eval::Report& r) {
  nlohmann::json j{{"cluster", spec.name}, {"model", model.name}, {"profile", profile.name}, {"feasible", r.feasible()},
                   {"reason", r.feasible() ? "" : std::string(workload::infeasibility_name(r.reason)) + ": " + r.detail},
                   {"step_time_s", r.step_time_s}, {"tokens_per_s", r.tokens_per_s}, {"mfu", r.mfu}, {"hfu", r.hfu},
                   {"memory_GiB_per_chip", r.memory_per_chip_B / gib}, {"micro_batches", r.micro_batches},
                   {"dominant", r.feasible() ? eval::term_name(r.dominant) : ""}};
  j["breakdown"] = r.feasible() ? terms_json(eval::term_names, r.breakdown.s) : nlohmann::json::object();
  j["compute_by_kernel"] = r.feasible() ? terms_json(eval::kernel_class_names, r.compute_split.s) : nlohmann::json::object();
  j["memory_GiB_per_rank"] = {{"weights", r.memory_per_rank.weights_B / gib},
                              {"gradients", r.memory_per_rank.gradients_B / gib},
                              {"optimizer", r.memory_per_rank.optimizer_B / gib},
                              {"activations", r.memory_per_rank.activations_B / gib},
                              {"buffers", r.memory_per_rank.buffers_B / gib}};
  // Weights, gradients and optimizer states of the transformer layers alone (no embedding or
  // head), as Korthikanti et al. 2022 Figure 1 reports them.
  const workload::StateBytes b = workload::state_bytes(e);
  j["layer_states_GiB_per_rank"] = r.memory_per_rank.layer_params * (b.weights / (e.zero >= 3 ? e.dp : 1) +
                                                                      b.gradients / (e.zero >= 2 ? e.dp : 1) +
                                                                      b.optimizer / (e.zero >= 1 ? e.dp : 1)) / gib;
  fmt::print("{}\n", j.dump(2));
  return r.feasible() ? 0 : 3;
}

int print_text(const hw::ClusterSpec& spec, const workload::ModelSpec& model, const compute::Profile& profile, const workload::Execution& e,
               const fabric::Fabric& fabric, const eval::Report& r) {
  if (!r.feasible()) {
    fmt::print("infeasible: {}: {}\n", workload::infeasibility_name(r.reason), r.detail);
    return 3;
  }
  fmt::print("{} on {} ({} ranks): tp {} pp {} dp {} cp {} ep {} vpp {} zero {}, mbs {} gbs {}, recompute {}{}; compute profile {}\n", model.name,
             spec.name, fabric.endpoints(), e.tp, e.pp, e.dp, e.cp, e.ep, e.vpp, e.zero, e.micro_batch, e.global_batch,
             workload::recompute_name(e.recompute), e.sequence_parallel ? ", sequence parallel" : "", profile.name);
  fmt::print("step time      {:.4f} s ({} micro-batches)\n", r.step_time_s, r.micro_batches);
  fmt::print("tokens/s       {:.0f}\n", r.tokens_per_s);
  fmt::print("MFU / HFU      {:.1f}% / {:.1f}%\n", 100 * r.mfu, 100 * r.hfu);
  fmt::print("memory/chip    {:.2f} GiB of {:.0f} GiB (weights {:.2f}, grads {:.2f}, optimizer {:.2f}, activations {:.2f}, "
             "comm buffers {:.2f} GiB per rank)\n",
             r.memory_per_chip_B / gib, r.memory_capacity_B / gib, r.memory_per_rank.weights_B / gib, r.memory_per_rank.gradients_B / gib,
             r.memory_per_rank.optimizer_B / gib, r.memory_per_rank.activations_B / gib, r.memory_per_rank.buffers_B / gib);
  fmt::print("breakdown (dominant: {}):\n", eval::term_name(r.dominant));
  for (std::size_t t = 0; t < eval::term_count; ++t)
    if (const double s = r.breakdown.s[t]; s > 0) fmt::print("  {:<10} {:>10.4f} s  {:>5.1f}%\n", eval::term_names[t], s, 100 * s / r.step_time_s);
  // Where the compute term goes, in percent of it.
  const double compute = r.breakdown[eval::Term::compute];
  if (compute > 0) {
    fmt::print("compute by kernel:");
    for (std::size_t k = 0; k < eval::kernel_class_count; ++k)
      if (const double s = r.compute_split.s[k]; s > 0) fmt::print(" {} {:.1f}%", eval::kernel_class_names[k], 100 * s / compute);
    fmt::print("\n");
  }
  return 0;
}

int run(const Options& o) {
  workload::Execution e = execution_from(o);
  io::InputFiles files;
  const hw::ClusterSpec spec = load_cluster(o.cluster, o.sets, files);
  const workload::ModelSpec model = io::read_model(o.model, {}, files);
  const compute::Profile profile = profile_for(o, spec, files);
  const fabric::Fabric fabric(spec);
  // As a sweep does: without --dp, the degree that fills the cluster, where there is one.
  const int dp = workload::derived_dp(fabric.endpoints(), e);
  if (o.knobs.options[workload::find_knob("dp")]->count() == 0 && dp > 0) e.dp = dp;
  collective::Planner planner(fabric, fabric.spec().rack.chip.collectives);
  const eval::Report r = eval::evaluate({fabric, planner, profile}, model, e);
  return o.json ? print_json(spec, model, profile, e, r) : print_text(spec, model, profile, e, fabric, r);
}
}  // namespace

Runner add_step_command(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("step", "time one training step of a model on a cluster, with its memory and breakdown");
  cmd->add_option("cluster", o->cluster, "cluster file (topologies/clusters/*.toml)")->required();
  cmd->add_option("model", o->model, "model file (workloads/models/*.toml)")->required();
  add_knob_flags(*cmd, o->knobs);
  cmd->add_option("--profile", o->profile, "compute profile file overriding the chip's (topologies/compute/*.toml)");
  cmd->add_flag("--json", o->json, "print JSON");
  add_set_option(*cmd, o->sets);
  return [o]() { return run(*o); };
}

}  // namespace rackscope::cli
