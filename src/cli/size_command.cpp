// `rackscope size MODEL --tokens 15T --deadline 90d`: how many racks of which turnkey
// configuration train a model in time, at what cost, power and supply. Under mpirun the search's
// units are shared round-robin; every rank's results go through one JSON round trip to rank 0,
// which ranks them, so the answer is the same at any rank count.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>
#include <tuple>

#include "cli/attempt.hpp"
#include "cli/commands.hpp"
#include "cli/parse_errors.hpp"
#include "cli/size_args.hpp"
#include "cli/size_json.hpp"
#include "cli/size_print.hpp"
#include "dist/comm.hpp"
#include "io/cluster_reader.hpp"
#include "io/input_error.hpp"
#include "io/model_reader.hpp"
#include "cli/size_run.hpp"

namespace rackscope::cli {
namespace {

struct Options {
  std::string model, tokens, deadline, budget, power, quarter, objective = "cost";
  std::vector<std::string> racks, sets;
  int gbs = 0, top = 5, max_racks = 2048, refine = 4;
  bool json = false;
};


size::Objective objective_of(const std::string& s) {
  if (s == "cost") return size::Objective::cost;
  if (s == "time") return size::Objective::time;
  if (s == "energy") return size::Objective::energy;
  throw io::InputError({"--objective", 0}, s, "unknown objective", "cost, time, energy");
}

size::Request request_of(const Options& o, io::InputFiles& files) {
  size::Request r;
  r.tokens = parse_count("--tokens", o.tokens);
  r.deadline_s = parse_duration("--deadline", o.deadline);
  if (!o.budget.empty()) r.budget_usd = parse_money("--budget", o.budget);
  if (!o.power.empty()) r.power_W = parse_power("--power", o.power);
  if (!o.quarter.empty()) check_quarter("--quarter", o.quarter);
  r.quarter = o.quarter;
  r.objective = objective_of(o.objective);
  if (r.objective == size::Objective::time && !r.budget_usd && !r.power_W)
    throw io::InputError({"--objective", 0}, "time", "the fastest option needs a limit to stop at", "--budget or --power with --objective time");
  r.top = o.top, r.max_racks = o.max_racks, r.refine = o.refine;
  r.fabric_memory_B = io::search_memory_limit();
  io::Overrides none;
  r.model = io::read_model(o.model, none, files);
  set_batch(r, o.gbs);
  return r;
}

int run(const Options& o) {
  dist::Session mpi;
  const bool root = mpi.rank() == 0;
  io::InputFiles files;
  size::Request request;
  std::vector<size::Candidate> candidates;
  auto failed = dist::agree(attempt([&] {
    request = request_of(o, files);
    candidates = load_candidates(o.racks, o.sets, files);
  }));
  if (failed) {
    if (root) fmt::print(stderr, "{}\n", failed->message);
    return failed->code;
  }
  size::Answer answer;
  failed = search_on_every_rank(request, candidates, mpi, answer);
  if (failed) {
    if (root) fmt::print(stderr, "{}\n", failed->message);
    return failed->code;
  }
  if (!root) return 0;
  if (o.json) print_size_json(request, candidates, answer);
  else print_size_text(request, candidates, answer);
  return answer.options.empty() ? 3 : 0;
}

}  // namespace

Runner add_size_command(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("size", "how many racks of which turnkey configuration train a model by a deadline, at what cost");
  cmd->add_option("model", o->model, "model file (workloads/models/*.toml)")->required();
  cmd->add_option("--tokens", o->tokens, "training tokens, e.g. 15T")->required();
  cmd->add_option("--deadline", o->deadline, "wall time allowed, failures included, e.g. 90d")->required();
  cmd->add_option("--budget", o->budget, "capital cost limit in USD, e.g. 2B");
  cmd->add_option("--power", o->power, "peak facility power limit, e.g. 60MW");
  cmd->add_option("--quarter", o->quarter, "chips must be delivered by this quarter, e.g. 2027Q1 (default: the chip's supply quarter)");
  cmd->add_option("--objective", o->objective, "rank options by cost (total over the run), time or energy");
  cmd->add_option("--racks", o->racks, "turnkey configurations: cluster files whose rack count is searched (default: the shipped UltraServers)");
  cmd->add_option("--gbs", o->gbs, "global batch in sequences (default: 16M tokens per step)")->check(integer_range(1, 1 << 30));
  cmd->add_option("--top", o->top, "options shown")->check(integer_range(1, 100));
  cmd->add_option("--max-racks", o->max_racks, "largest rack count searched")->check(integer_range(1, size::kMostRacks));
  cmd->add_option("--refine", o->refine, "layouts per configuration bracketed exactly after screening")->check(integer_range(1, 1000));
  cmd->add_flag("--json", o->json, "print JSON");
  add_set_option(*cmd, o->sets);
  return [o]() { return run(*o); };
}

}  // namespace rackscope::cli
