// `rackscope compare CLUSTER... --model MODEL`: turnkey rack configurations side by side, one
// column each: what a rack is (chips, packaging, memory, bandwidths, power, price) and what it
// does for the model at equal capital or a stated rack count (best layout by the sizing search,
// time-to-train with goodput and its band, tokens per dollar and per joule, supply). The best
// value of each row is marked.
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "cli/attempt.hpp"
#include "cli/commands.hpp"
#include "cli/parse_errors.hpp"
#include "cli/compare_table.hpp"
#include "cli/size_args.hpp"
#include "cli/size_run.hpp"
#include "econ/cost.hpp"
#include "io/cluster_reader.hpp"
#include "io/model_reader.hpp"
#include "size/price.hpp"
#include "workload/counts.hpp"

namespace rackscope::cli {
namespace {

struct Options {
  std::string model, tokens, capital = "1B", quarter;
  std::vector<std::string> clusters, sets;
  int racks = 0, gbs = 0;
  bool json = false;
};

// Chinchilla-optimal data when no token budget is given: 20 tokens per parameter (Hoffmann et
// al. 2022, "Training Compute-Optimal Large Language Models", Table 3).
constexpr double kTokensPerParameter = 20;

size::Request request_of(const Options& o, io::InputFiles& files) {
  size::Request r;
  io::Overrides none;
  r.model = io::read_model(o.model, none, files);
  r.tokens = o.tokens.empty() ? kTokensPerParameter * workload::total_params(r.model) : parse_count("--tokens", o.tokens);
  r.deadline_s = std::numeric_limits<double>::infinity();  // no deadline: the time is the answer
  r.objective = size::Objective::time;
  if (o.racks > 0) {
    r.max_racks = o.racks;
  } else {
    // At equal capital the budget bounds the racks, not size's default search cap (2,048 racks
    // of 8 GPUs would leave most of $1B unspent); the Clos's reach still bounds them.
    r.budget_usd = parse_money("--capital", o.capital);
    r.max_racks = size::kMostRacks;
  }
  if (!o.quarter.empty()) check_quarter("--quarter", o.quarter);
  r.quarter = o.quarter;
  set_batch(r, o.gbs);
  r.fabric_memory_B = io::search_memory_limit();
  r.top = 1000;
  return r;
}

// Per-chip bandwidths out of a chip, per direction: its scale-up links, and its share of the rack's NICs.
double scale_up_Bps_per_chip(const fabric::Fabric& f) {
  double sum = 0;
  for (const auto& l : f.links())
    if (l.tier == fabric::Tier::scale_up && f.kind(l.from) == fabric::VertexKind::chip) sum += l.bandwidth_Bps;
  return sum / f.chips();
}

RackFacts rack_facts(const size::Request& r, const size::Candidate& c) {
  hw::ClusterSpec one = c.spec;
  one.racks = 1;
  const fabric::Fabric f(one);
  const hw::Chip& chip = c.spec.rack.chip;
  RackFacts k;
  k.name = c.spec.rack.name;
  k.packaging = chip.package ? chip.package->packaging : "";
  k.design = fmt::format("{} dies, {} B HBM, {} FLOP/s, {} per rack", chip.dies, chip.hbm_capacity_B, chip.flops[hw::Precision::bf16],
                         c.spec.rack.chips);
  k.chips = c.spec.rack.chips;
  k.hbm_GiB = chip.hbm_capacity_B / (1024.0 * 1024 * 1024);
  k.bf16_PFLOPs = chip.flops[hw::Precision::bf16] / 1e15;
  k.scale_up_GBps = scale_up_Bps_per_chip(f) / 1e9;
  k.scale_out_GBps = c.spec.rack.nics.count * c.spec.rack.nics.bandwidth_Bps / c.spec.rack.chips / 1e9;
  const econ::Capex capex = econ::capex(f);
  k.rack_usd = capex.rack_usd;
  k.rack_kW = econ::peak_power(f).it_W / 1e3;
  k.chip_usd = chip.package ? chip.package->unit_cost_usd : std::numeric_limits<double>::quiet_NaN();
  const size::Supply s = size::supply_by(chip, r.quarter);
  k.supply_chips = s.known ? s.base : std::numeric_limits<double>::quiet_NaN();
  k.assumed = capex.assumed;
  return k;
}

// At equal capital, the configurations whose fastest option leaves a tenth or more of it unspent:
// more racks ran no faster (the global batch bounds the data-parallel replicas), which the table
// alone would hide behind its headline.
std::vector<std::string> unspent_capital_lines(const size::Request& r, const std::vector<std::optional<size::Option>>& best) {
  std::vector<std::string> out;
  if (!r.budget_usd) return out;
  for (const auto& b : best)
    if (b && b->capex_usd.value < 0.9 * *r.budget_usd)
      out.push_back(fmt::format("{}: its fastest option uses {} racks, ${:.0f}M of the ${:.2f}B; no option with more racks was faster "
                                "at a global batch near {} sequences (--gbs sets it; the batch bounds dp x micro-batch, x pp when interleaved)",
                                b->rack, b->racks, b->capex_usd.value / 1e6, *r.budget_usd / 1e9, r.global_batch));
  return out;
}

int run(const Options& o) {
  dist::Session mpi;
  const bool root = mpi.rank() == 0;
  io::InputFiles files;
  size::Request request;
  std::vector<size::Candidate> candidates;
  std::vector<RackFacts> facts;
  auto failed = dist::agree(attempt([&] {
    request = request_of(o, files);
    candidates = load_candidates(o.clusters, o.sets, files);
    for (const auto& c : candidates) facts.push_back(rack_facts(request, c));
  }));
  size::Answer answer;
  if (!failed) failed = search_on_every_rank(request, candidates, mpi, answer);
  if (failed) {
    if (root) fmt::print(stderr, "{}\n", failed->message);
    return failed->code;
  }
  if (!root) return 0;
  std::vector<std::optional<size::Option>> best(candidates.size());
  for (const auto& opt : answer.options)  // best first: the first of each configuration is its best
    if (!best[opt.candidate]) best[opt.candidate] = opt;
  CompareTable table = compare_table(request, facts, best, o.racks);
  for (auto& line : memory_limit_lines(request, candidates, answer)) table.notes.push_back(std::move(line));
  for (auto& line : unspent_capital_lines(request, best)) table.notes.push_back(std::move(line));
  table.memory_capped_racks.assign(candidates.size(), 0);
  for (const auto& [c, racks] : answer.memory_capped) table.memory_capped_racks[c] = racks;
  if (o.json) print_compare_json(table);
  else print_compare_text(table);
  return 0;
}

}  // namespace

Runner add_compare_command(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("compare", "turnkey rack configurations side by side for a model: price, power, supply, tokens per dollar");
  cmd->add_option("clusters", o->clusters, "cluster files, one per configuration (default: the shipped UltraServers)");
  cmd->add_option("--model", o->model, "model file (workloads/models/*.toml)")->required();
  cmd->add_option("--tokens", o->tokens, "training tokens, e.g. 15T (default: 20 per parameter)");
  CLI::Option* capital = cmd->add_option("--capital", o->capital, "equal capital for every configuration, e.g. 1B (default)");
  // One basis for the comparison: a capital that --racks would silently override is refused.
  cmd->add_option("--racks", o->racks, "the same rack count for every configuration instead of equal capital")
      ->check(integer_range(1, size::kMostRacks))
      ->excludes(capital);
  cmd->add_option("--quarter", o->quarter, "supply counted through this quarter, e.g. 2027Q1");
  cmd->add_option("--gbs", o->gbs, "global batch in sequences (default: 16M tokens per step)")->check(integer_range(1, 1 << 30));
  cmd->add_flag("--json", o->json, "print JSON: one object per configuration");
  add_set_option(*cmd, o->sets);
  return [o]() { return run(*o); };
}

}  // namespace rackscope::cli
