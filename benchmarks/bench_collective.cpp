// How the time to answer a collective grows with cluster size: build the fabric of
// topologies/clusters/trn2-ultraserver-x64.toml with racks = 1 .. 1024 (64 .. 65,536 chips),
// then plan and price a 1 GiB all-reduce over every rank (auto: every algorithm, every
// protocol). Prints one row per size; ratios against the 64-chip row are the figures to quote.
#include <fmt/format.h>

#include <chrono>
#include <string>

#include "collective/select.hpp"
#include "io/cluster_reader.hpp"

using namespace rackscope;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const std::string path = argc > 1 ? argv[1] : "topologies/clusters/trn2-ultraserver-x64.toml";
  const int max_racks = argc > 2 ? std::stoi(argv[2]) : 1024;
  fmt::print("{:>8} {:>10} {:>12} {:>12} {:>12} {:>10}  {}\n", "chips", "ranks", "build_s", "plan_s", "price_us", "ratio", "choice");
  double first = 0;
  for (int racks = 1; racks <= max_racks; racks *= 4) {
    io::Overrides overrides;
    overrides.add("racks=" + std::to_string(racks));
    io::InputFiles files;
    const auto spec = io::read_cluster(path, overrides, files);
    const auto t0 = Clock::now();
    const fabric::Fabric f(spec);
    const auto t1 = Clock::now();
    collective::Planner planner(f, f.spec().rack.chip.collectives);
    const int ranks = f.chips() * spec.rack.chip.ranks_per_chip;
    const auto group = collective::first_ranks(f, ranks);
    planner.plans(collective::Op::allreduce, group);
    const auto t2 = Clock::now();
    const auto choice = planner.best(collective::Op::allreduce, group, 1073741824.0);
    const auto t3 = Clock::now();
    const double build = std::chrono::duration<double>(t1 - t0).count();
    const double plan = std::chrono::duration<double>(t2 - t1).count();
    const double price = std::chrono::duration<double>(t3 - t2).count();
    if (first == 0) first = build + plan;
    fmt::print("{:>8} {:>10} {:>12.4f} {:>12.4f} {:>12.2f} {:>10.1f}  {}/{} {:.1f} ms\n", f.chips(), ranks, build, plan, price * 1e6,
               (build + plan) / first, choice->algorithm, choice->protocol, choice->time_s * 1e3);
  }
  return 0;
}
