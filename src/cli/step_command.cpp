#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "eval/evaluate.hpp"
#include "io/input_error.hpp"
#include "io/model_reader.hpp"
#include "workload/counts.hpp"

namespace rackscope::cli {
namespace {
struct Options {
  std::string cluster, model, profile, recompute = "none", precision = "bf16", order = "tp,cp,ep,dp,pp";
  workload::Execution e;
  bool json = false, no_overlap_dp = false, no_overlap_gather = false, no_overlap_tp_backward = false;
  std::vector<std::string> sets;
};

// The execution the flags describe, checked.
workload::Execution execution_from(const Options& o) {
  workload::Execution e = o.e;
  e.overlap_dp = !o.no_overlap_dp;
  e.overlap_param_gather = !o.no_overlap_gather;
  e.overlap_tp_backward = !o.no_overlap_tp_backward;
  if (o.recompute == "none") e.recompute = workload::Recompute::none;
  else if (o.recompute == "selective") e.recompute = workload::Recompute::selective;
  else if (o.recompute == "full") e.recompute = workload::Recompute::full;
  else throw io::InputError({"--recompute", 0}, o.recompute, "unknown recompute mode", "none, selective, full");
  const std::vector<std::string> precisions = {"bf16", "fp8", "mxfp8", "mxfp4"};
  const auto p = std::find(precisions.begin(), precisions.end(), o.precision);
  if (p == precisions.end()) throw io::InputError({"--precision", 0}, o.precision, "unknown precision", "bf16, fp8, mxfp8, mxfp4");
  e.precision = static_cast<workload::Precision>(p - precisions.begin());
  e.order.clear();
  std::string cur;
  for (char c : o.order + ",") {
    if (c != ',') {
      cur += c;
      continue;
    }
    e.order.push_back(cur);
    cur.clear();
  }
  std::vector<std::string> sorted = e.order;
  std::sort(sorted.begin(), sorted.end());
  if (sorted != std::vector<std::string>{"cp", "dp", "ep", "pp", "tp"})
    throw io::InputError({"--order", 0}, o.order, "must name tp, cp, ep, dp and pp once each", "tp,cp,ep,dp,pp");
  for (auto [flag, v] : {std::pair{"--tp", e.tp}, {"--pp", e.pp}, {"--dp", e.dp}, {"--cp", e.cp}, {"--ep", e.ep}, {"--vpp", e.vpp},
                         {"--mbs", e.micro_batch}, {"--gbs", e.global_batch}})
    if (v < 1) throw io::InputError({flag, 0}, std::to_string(v), "must be at least 1", "a positive integer");
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

int print_json(const hw::ClusterSpec& spec, const workload::ModelSpec& model, const workload::Execution& e, const eval::Report& r) {
  nlohmann::json j{{"cluster", spec.name}, {"model", model.name}, {"feasible", r.feasible()},
                   {"reason", r.feasible() ? "" : std::string(workload::infeasibility_name(r.reason)) + ": " + r.detail},
                   {"step_time_s", r.step_time_s}, {"tokens_per_s", r.tokens_per_s}, {"mfu", r.mfu}, {"hfu", r.hfu},
                   {"memory_GiB_per_chip", r.memory_per_chip_B / gib}, {"micro_batches", r.micro_batches},
                   {"dominant", r.dominant}};
  nlohmann::json breakdown = nlohmann::json::object();
  for (const auto& [name, s] : r.breakdown) breakdown[name] = s;
  j["breakdown"] = breakdown;
  j["memory_GiB_per_rank"] = {{"weights", r.memory_per_rank.weights_B / gib},
                              {"gradients", r.memory_per_rank.gradients_B / gib},
                              {"optimizer", r.memory_per_rank.optimizer_B / gib},
                              {"activations", r.memory_per_rank.activations_B / gib},
                              {"buffers", r.memory_per_rank.buffers_B / gib}};
  // Weights, gradients and optimizer states of the transformer layers alone (no embedding or
  // head), as Korthikanti et al. 2022 Figure 1 reports them.
  const workload::StateBytes b;
  j["layer_states_GiB_per_rank"] = r.memory_per_rank.layer_params * (b.weights / (e.zero >= 3 ? e.dp : 1) +
                                                                      b.gradients / (e.zero >= 2 ? e.dp : 1) +
                                                                      b.optimizer / (e.zero >= 1 ? e.dp : 1)) / gib;
  fmt::print("{}\n", j.dump(2));
  return r.feasible() ? 0 : 3;
}

int print_text(const Options& o, const hw::ClusterSpec& spec, const workload::ModelSpec& model, const workload::Execution& e,
               const fabric::Fabric& fabric, const eval::Report& r) {
  if (!r.feasible()) {
    fmt::print("infeasible: {}: {}\n", workload::infeasibility_name(r.reason), r.detail);
    return 3;
  }
  fmt::print("{} on {} ({} ranks): tp {} pp {} dp {} cp {} ep {} vpp {} zero {}, mbs {} gbs {}, recompute {}{}\n", model.name, spec.name,
             fabric.endpoints(), e.tp, e.pp, e.dp, e.cp, e.ep, e.vpp, e.zero, e.micro_batch, e.global_batch, o.recompute,
             e.sequence_parallel ? ", sequence parallel" : "");
  fmt::print("step time      {:.4f} s ({} micro-batches)\n", r.step_time_s, r.micro_batches);
  fmt::print("tokens/s       {:.0f}\n", r.tokens_per_s);
  fmt::print("MFU / HFU      {:.1f}% / {:.1f}%\n", 100 * r.mfu, 100 * r.hfu);
  fmt::print("memory/chip    {:.2f} GiB of {:.0f} GiB (weights {:.2f}, grads {:.2f}, optimizer {:.2f}, activations {:.2f}, "
             "comm buffers {:.2f} GiB per rank)\n",
             r.memory_per_chip_B / gib, r.memory_capacity_B / gib, r.memory_per_rank.weights_B / gib, r.memory_per_rank.gradients_B / gib,
             r.memory_per_rank.optimizer_B / gib, r.memory_per_rank.activations_B / gib, r.memory_per_rank.buffers_B / gib);
  fmt::print("breakdown (dominant: {}):\n", r.dominant);
  for (const auto& [name, s] : r.breakdown)
    if (s > 0) fmt::print("  {:<10} {:>10.4f} s  {:>5.1f}%\n", name, s, 100 * s / r.step_time_s);
  return 0;
}

int run(const Options& o) {
  const workload::Execution e = execution_from(o);
  io::InputFiles files;
  const hw::ClusterSpec spec = load_cluster(o.cluster, o.sets, files);
  const workload::ModelSpec model = io::read_model(o.model, {}, files);
  const compute::Profile profile = profile_for(o, spec, files);
  const fabric::Fabric fabric(spec);
  collective::Planner planner(fabric, fabric.spec().rack.chip.collectives);
  const eval::Report r = eval::evaluate({fabric, planner, profile}, model, e);
  return o.json ? print_json(spec, model, e, r) : print_text(o, spec, model, e, fabric, r);
}
}  // namespace

Runner add_step_command(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("step", "time one training step of a model on a cluster, with its memory and breakdown");
  cmd->add_option("cluster", o->cluster, "cluster file (topologies/clusters/*.toml)")->required();
  cmd->add_option("model", o->model, "model file (workloads/models/*.toml)")->required();
  cmd->add_option("--tp", o->e.tp, "tensor-parallel degree (ranks)");
  cmd->add_option("--pp", o->e.pp, "pipeline-parallel degree");
  cmd->add_option("--dp", o->e.dp, "data-parallel degree");
  cmd->add_option("--cp", o->e.cp, "context-parallel degree");
  cmd->add_option("--ep", o->e.ep, "expert-parallel degree (carved out of dp)");
  cmd->add_option("--vpp", o->e.vpp, "model chunks per pipeline stage (interleaved 1F1B)");
  cmd->add_option("--zero", o->e.zero, "ZeRO stage 0-3")->check(CLI::Range(0, 3));
  cmd->add_option("--mbs", o->e.micro_batch, "micro batch (sequences)");
  cmd->add_option("--gbs", o->e.global_batch, "global batch (sequences)")->required();
  cmd->add_option("--seq", o->e.seq, "sequence length (default: the model's)");
  cmd->add_option("--recompute", o->recompute, "none, selective or full");
  cmd->add_flag("--seq-parallel", o->e.sequence_parallel, "sequence parallelism with TP");
  cmd->add_option("--precision", o->precision, "bf16, fp8, mxfp8, mxfp4");
  cmd->add_flag("--no-overlap-dp", o->no_overlap_dp, "gradient reduction after the backward, not overlapped");
  cmd->add_flag("--no-overlap-param-gather", o->no_overlap_gather, "ZeRO-3 parameter gathers not overlapped with compute");
  cmd->add_flag("--overlap-tp", o->e.overlap_tp, "overlap all TP communication with GEMMs (collective matmul)");
  cmd->add_flag("--no-overlap-tp-backward", o->no_overlap_tp_backward,
                "backward TP re-gather and input-gradient reduction not hidden behind the gradient GEMMs");
  cmd->add_option("--order", o->order, "rank grid order, innermost first");
  cmd->add_option("--profile", o->profile, "compute profile file overriding the chip's (topologies/compute/*.toml)");
  cmd->add_flag("--json", o->json, "print JSON");
  add_set_option(*cmd, o->sets);
  return [o]() { return run(*o); };
}

}  // namespace rackscope::cli
