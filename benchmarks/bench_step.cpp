// Time of one training-step evaluation once its collectives are planned: Llama-3.1-405B on
// 16,384 Trn2 chips (256 UltraServers, 65,536 ranks), TP 32 (8 chips), PP 16, DP 128, selective
// recompute, sequence parallelism, ZeRO-1. The first evaluation plans every communicator's
// collectives; the rest reuse the plans, which is what a sweep over micro-batch, recompute and
// overlap choices does. Prints both and their ratio, in CPU time of this process (the machine is
// shared: wall time would count other jobs' turns). Then a second new layout in the now warm process:
// the first evaluation in a fresh process also pays for cold caches and page tables.
#include <fmt/format.h>

#include <ctime>

#include "eval/evaluate.hpp"
#include "io/cluster_reader.hpp"
#include "io/model_reader.hpp"

using namespace rackscope;

namespace {
double cpu_s() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}
}  // namespace

int main(int argc, char** argv) {
  const std::string root = argc > 1 ? argv[1] : ".";
  io::Overrides overrides;
  overrides.add("racks=256");
  io::InputFiles files;
  const auto spec = io::read_cluster(root + "/topologies/clusters/trn2-ultraserver-x64.toml", overrides, files);
  const auto model = io::read_model(root + "/workloads/models/llama-3.1-405b.toml", {}, files);
  const auto& profile = spec.rack.chip.compute;
  const fabric::Fabric fabric(spec);
  collective::Planner planner(fabric, fabric.spec().rack.chip.collectives);
  workload::Execution e;
  e.tp = 32, e.pp = 16, e.dp = 128, e.micro_batch = 1, e.global_batch = 2048, e.zero = 1;
  e.sequence_parallel = true;
  e.recompute = workload::Recompute::selective;
  const eval::System sys{fabric, planner, profile};
  const double t0 = cpu_s();
  const auto first = eval::evaluate(sys, model, e);
  const double t1 = cpu_s();
  const int n = 20000;
  double sink = 0;
  for (int i = 0; i < n; ++i) {
    e.micro_batch = 1 + i % 2;  // alternate two configurations, both planned after the first two
    sink += eval::evaluate(sys, model, e).step_time_s;
  }
  const double t2 = cpu_s();
  // A new layout in a warm process, as a sweep or a size search meets one: the fabric's tables and
  // the code are in cache, the planner has priced other communicators but none of this layout's
  // (TP 64 spans 16 chips, PP 8 and DP 128 groups stride differently from the layout above).
  workload::Execution other = e;
  other.tp = 64, other.pp = 8, other.dp = 128, other.micro_batch = 1;
  const double t3 = cpu_s();
  const auto second = eval::evaluate(sys, model, other);
  const double t4 = cpu_s();
  const double cold = t1 - t0;
  const double warm = (t2 - t1) / n;
  fmt::print("chips {} ranks {}: feasible {} step {:.2f} s MFU {:.1f}%\n", fabric.chips(), fabric.endpoints(), first.feasible(),
             first.step_time_s, 100 * first.mfu);
  fmt::print("first evaluation (plans collectives): {:.5f} s CPU\n", cold);
  fmt::print("first evaluation of another layout, warm process: {:.5f} s CPU (feasible {})\n", t4 - t3, second.feasible());
  fmt::print("cached evaluation: {:.2f} us CPU per configuration ({:.0f} per second), cold/warm ratio {:.0f}x  [{:.3g}]\n", warm * 1e6,
             1 / warm, cold / warm, sink);
  return 0;
}
