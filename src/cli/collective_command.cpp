#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <string_view>

#include "cli/commands.hpp"
#include "cli/size_list.hpp"
#include "collective/op.hpp"
#include "collective/select.hpp"
#include "io/did_you_mean.hpp"
#include "io/input_error.hpp"

namespace rackscope::cli {
namespace {
std::string suggestion(const std::string& word, const std::vector<std::string>& choices) {
  const std::string guess = io::closest_match(word, choices);
  return guess.empty() ? "" : "; did you mean \"" + guess + "\"?";
}

bool parse_number(const std::string& text, double& value) {
  size_t pos = 0;
  try {
    value = std::stod(text, &pos);
  } catch (...) {
    return false;
  }
  return pos == text.size() && std::isfinite(value);
}

double size_option(const std::string& flag, const std::string& text) {
  double bytes = 0;
  std::string why;
  if (!parse_size(text, bytes, why)) throw io::InputError({flag, 0}, text, why, "a size such as 8, 512K, 8M or 8G");
  return bytes;
}

struct Options {
  std::string cluster, op = "allreduce", algo = "auto", dtype = "fp32";
  std::string begin = "8", end = "128M";
  std::string factor = "2", step, ranks;
  bool json = false;
  std::vector<std::string> sets;
};

// The message sizes from -b to -e (by -i steps, else by -f factors). Checked before any output.
std::vector<double> message_sizes(const Options& o) {
  const double begin = size_option("-b", o.begin), end = size_option("-e", o.end);
  if (end < begin) throw io::InputError({"-e", 0}, o.end, "smaller than -b " + o.begin, "a size >= -b");
  constexpr size_t kMaxRows = 10000;
  std::vector<double> sizes;
  if (!o.step.empty()) {
    const double step = size_option("-i", o.step);
    if ((end - begin) / step + 1 > kMaxRows)
      throw io::InputError({"-i", 0}, o.step, fmt::format("more than {} sizes from -b {} to -e {}", kMaxRows, o.begin, o.end),
                           fmt::format("a step giving at most {} sizes", kMaxRows));
    for (double s = begin; s <= end; s += step) sizes.push_back(s);
    return sizes;
  }
  double factor = 0;
  if (!parse_number(o.factor, factor) || !(factor > 1)) throw io::InputError({"-f", 0}, o.factor, "must be a number > 1", "e.g. 2");
  if (std::log(end / begin) / std::log(factor) + 1 > kMaxRows)
    throw io::InputError({"-f", 0}, o.factor, fmt::format("more than {} sizes from -b {} to -e {}", kMaxRows, o.begin, o.end),
                         fmt::format("a factor giving at most {} sizes", kMaxRows));
  return size_sweep(begin, end, factor);
}

// --ranks (default: every rank of the cluster).
int requested_ranks(const Options& o, int all_ranks) {
  double requested = all_ranks;
  if (!o.ranks.empty() && (!parse_number(o.ranks, requested) || requested != std::floor(requested)))
    throw io::InputError({"--ranks", 0}, o.ranks, "not an integer", "a number of ranks, e.g. 64");
  const int ranks = static_cast<int>(std::clamp(requested, -1.0, 1e9));
  if (ranks < 1 || ranks > all_ranks)
    throw io::InputError({"--ranks", 0}, o.ranks, "out of range", fmt::format("1 to {} (the cluster's ranks)", all_ranks));
  return ranks;
}

// A named --algo must apply to the group; the error lists those that do.
void check_applicable(collective::Planner& planner, collective::Op op, const collective::Group& group, const std::string& only) {
  if (only.empty() || only == "best") return;
  std::vector<std::string> usable = {"auto", "best"};
  for (const auto& a : planner.plans(op, group))
    if (a.applicable) usable.push_back(a.name);
  for (const auto& a : planner.plans(op, group))
    if (a.name == only && !a.applicable) throw io::InputError({"--algo", 0}, only, "not applicable here: " + a.why_not, fmt::format("{}", fmt::join(usable, ", ")));
}

void print_header(const Options& o, const hw::ClusterSpec& spec, int ranks, int chips) {
  fmt::print("# rackscope collective: {} on {} ({} ranks, {} chips), dtype {}, algorithm {}\n", o.op, spec.name, ranks, chips, o.dtype,
             o.algo);
  fmt::print("# {:>12} {:>12} {:>6} {:>12} {:>9} {:>9}  {}\n", "size", "count", "type", "time", "algbw", "busbw", "algorithm");
  fmt::print("# {:>12} {:>12} {:>6} {:>12} {:>9} {:>9}\n", "(B)", "(elements)", "", "(us)", "(GB/s)", "(GB/s)");
}

// One row per size: printed as a table line, or added to `rows` for --json. `factor`: busbw / algbw.
void time_sizes(const Options& o, collective::Planner& planner, collective::Op op, const collective::Dtype& dtype,
                const collective::Group& group, double factor, const std::vector<double>& sizes, nlohmann::json& rows) {
  const std::string only = o.algo == "auto" ? "" : o.algo;
  for (double size : sizes) {
    const double bytes = std::max<double>(dtype.bytes, std::floor(size / dtype.bytes) * dtype.bytes);
    const auto choice = planner.best(op, group, bytes, only);
    if (!choice) throw io::InputError({"--op", 0}, o.op, "no algorithm applies to this group", "another --op or --algo");
    const double algbw = choice->time_s > 0 ? bytes / choice->time_s / 1e9 : 0.0;
    const std::string label = choice->algorithm + "/" + choice->protocol;
    const auto count = static_cast<long long>(bytes / dtype.bytes);
    if (o.json) {
      rows.push_back({{"bytes", bytes},
                      {"count", count},
                      {"time_us", choice->time_s * 1e6},
                      {"algbw_GBps", algbw},
                      {"busbw_GBps", algbw * factor},
                      {"algorithm", choice->algorithm},
                      {"protocol", choice->protocol}});
    } else {
      fmt::print("  {:>12.0f} {:>12} {:>6} {:>12.2f} {:>9.2f} {:>9.2f}  {}\n", bytes, count, o.dtype, choice->time_s * 1e6, algbw,
                 algbw * factor, label);
    }
  }
}

int run(const Options& o) {
  const auto op = collective::parse_op(o.op);
  if (!op) throw io::InputError({"--op", 0}, o.op, "unknown collective" + suggestion(o.op, collective::op_names()), fmt::format("{}", fmt::join(collective::op_names(), ", ")));
  const auto dtype = collective::parse_dtype(o.dtype);
  if (!dtype) throw io::InputError({"--dtype", 0}, o.dtype, "unknown data type", fmt::format("{}", fmt::join(collective::dtype_names(), ", ")));
  const auto& names = collective::algorithm_names();
  if (o.algo != "auto" && o.algo != "best" && std::find(names.begin(), names.end(), o.algo) == names.end())
    throw io::InputError({"--algo", 0}, o.algo, "unknown algorithm" + suggestion(o.algo, names), "auto, best, " + fmt::format("{}", fmt::join(names, ", ")));
  // Sizes first: a bad sweep is an input error before any output.
  const std::vector<double> sizes = message_sizes(o);

  io::InputFiles files;
  const hw::ClusterSpec spec = load_cluster(o.cluster, o.sets, files);
  if (refuse_unfit_package(spec)) return 3;
  const int ranks = requested_ranks(o, spec.racks * spec.rack.chips * spec.rack.chip.ranks_per_chip);
  const fabric::Fabric fabric(spec);
  collective::Planner planner(fabric, fabric.spec().rack.chip.collectives);
  const collective::Group group = collective::first_ranks(fabric, ranks);
  check_applicable(planner, *op, group, o.algo == "auto" ? "" : o.algo);
  nlohmann::json rows = nlohmann::json::array();
  if (!o.json) print_header(o, spec, ranks, fabric.chips());
  time_sizes(o, planner, *op, *dtype, group, collective::busbw_factor(*op, ranks), sizes, rows);
  if (o.json) {
    nlohmann::json j{{"cluster", spec.name}, {"op", o.op}, {"ranks", ranks}, {"chips", fabric.chips()}, {"dtype", o.dtype}, {"rows", rows}};
    fmt::print("{}\n", j.dump(2));
  }
  return 0;
}
}  // namespace

Runner add_collective_command(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("collective", "time a collective over message sizes (nccl-tests style table)");
  cmd->add_option("cluster", o->cluster, "cluster file (topologies/clusters/*.toml)")->required();
  cmd->add_option("--op", o->op, "allreduce, reducescatter, allgather, alltoall, broadcast, sendrecv");
  cmd->add_option("--ranks", o->ranks, "number of ranks (default: every rank of the cluster)");
  std::string algo_help = "auto (the runtime's selection table), best (fastest by the model) or one of:";
  size_t name_w = 0;  // the longest name plus a space, so no name runs into its description
  for (const auto& a : collective::algorithms()) name_w = std::max(name_w, std::string_view(a.name).size() + 1);
  for (const auto& a : collective::algorithms()) algo_help += fmt::format("\n  {:<{}}{}", a.name, name_w, a.description);
  cmd->add_option("--algo", o->algo, algo_help);
  cmd->add_option("-b,--minbytes", o->begin, "smallest size (8, 512K, 8M, 8G)");
  cmd->add_option("-e,--maxbytes", o->end, "largest size");
  cmd->add_option("-f,--stepfactor", o->factor, "multiply the size by this each row");
  cmd->add_option("-i,--stepbytes", o->step, "add this many bytes each row instead of multiplying (8M)");
  cmd->add_option("--dtype", o->dtype, "fp32, bf16, fp16, fp8, int8");
  cmd->add_flag("--json", o->json, "print JSON");
  add_set_option(*cmd, o->sets);
  return [o]() { return run(*o); };
}

}  // namespace rackscope::cli
