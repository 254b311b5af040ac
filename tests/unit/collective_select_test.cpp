// Collective selection (collective/select.cpp): the runtime's selection table picks by op, size
// and scope, a row naming several algorithms takes the fastest of them, `best` takes the fastest
// the model knows, and an algorithm the runtime lacks is never picked.
#include <doctest/doctest.h>

#include <algorithm>

#include "collective/select.hpp"
#include "test_clusters.hpp"

using namespace rackscope;
using collective::Op;

namespace {
hw::SelectionRow row(hw::SelectionRow::Scope scope, std::vector<std::string> ops, double max_bytes, std::vector<std::string> algorithms) {
  return {scope, std::move(ops), max_bytes, std::move(algorithms), {"simple"}};
}

// The fastest of `names` for (op, group, bytes), each with its fastest protocol.
double fastest_of(collective::Planner& p, Op op, const collective::Group& g, double bytes, const std::vector<std::string>& names) {
  double t = 1e300;
  for (const auto& n : names)
    if (const auto c = p.best(op, g, bytes, n)) t = std::min(t, c->time_s);
  return t;
}
}  // namespace

TEST_CASE("collective selection: the runtime's table by op, size and scope, then its fastest algorithm") {
  using Scope = hw::SelectionRow::Scope;
  hw::ClusterSpec spec = test::two_racks(4, 300e9, 0.5e-6, 50e9, 1e-6, 2e-6);  // 4 chips a rack
  auto& runtime = spec.rack.chip.collectives;
  runtime.algorithms = {"ring", "bidir-ring", "mesh", "hierarchical"};
  runtime.selection = {row(Scope::rack, {}, 64e3, {"mesh"}),                        // small, inside a rack
                       row(Scope::rack, {"allgather"}, 0, {"ring"}),                // any size, one op
                       row(Scope::cluster, {"allreduce"}, 0, {"hierarchical"}),     // across racks
                       row(Scope::rack, {"allreduce"}, 0, {"ring", "bidir-ring"})};  // the faster of two
  const fabric::Fabric f(spec);
  collective::Planner p(f, f.spec().rack.chip.collectives);
  const auto rack = collective::first_ranks(f, 4), both = collective::first_ranks(f, 8);

  CHECK(p.best(Op::allreduce, rack, 1e3)->algorithm == "mesh");
  CHECK(p.best(Op::allgather, rack, 1e3)->algorithm == "mesh");  // the first row that applies wins
  CHECK(p.best(Op::allgather, rack, 1e8)->algorithm == "ring");
  CHECK(p.best(Op::allreduce, both, 1e3)->algorithm == "hierarchical");  // rack rows skip a cluster group
  const auto two = p.best(Op::allreduce, rack, 1e8);
  REQUIRE(two.has_value());
  CHECK((two->algorithm == "ring" || two->algorithm == "bidir-ring"));
  CHECK(two->time_s == fastest_of(p, Op::allreduce, rack, 1e8, {"ring", "bidir-ring"}));
  // A chosen row prices its algorithm as asking for it by name does.
  CHECK(p.best(Op::allreduce, both, 1e3)->time_s == p.best(Op::allreduce, both, 1e3, "hierarchical")->time_s);
  // No row for a reduce-scatter: the fastest algorithm the runtime has.
  CHECK(p.best(Op::reducescatter, rack, 1e8)->time_s == fastest_of(p, Op::reducescatter, rack, 1e8, runtime.algorithms));
  // A group of one rank costs nothing.
  CHECK(p.best(Op::allreduce, collective::first_ranks(f, 1), 1e8)->time_s == 0);
}

TEST_CASE("collective selection: `best` is the fastest of every algorithm; auto only uses the runtime's own") {
  hw::ClusterSpec spec = test::switch_cluster(8);
  spec.rack.chip.collectives.algorithms = {"ring"};
  const fabric::Fabric f(spec);
  collective::Planner p(f, f.spec().rack.chip.collectives);
  const auto g = collective::first_ranks(f, 8);
  const auto all = collective::algorithm_names();
  for (double bytes : {1e3, 1e6, 1e9}) {
    const auto best = p.best(Op::allreduce, g, bytes, "best");
    REQUIRE(best.has_value());
    CHECK(best->time_s == fastest_of(p, Op::allreduce, g, bytes, all));
    CHECK(p.best(Op::allreduce, g, bytes)->algorithm == "ring");  // the runtime has nothing else
  }
  // Small all-reduces on a switch are latency-bound: a ring's 2(n-1) steps lose to fewer steps.
  CHECK(p.best(Op::allreduce, g, 1e3, "best")->algorithm != "ring");
  // A runtime whose only algorithm does not apply to the fabric has no choice to give.
  spec.rack.chip.collectives.algorithms = {"torus"};
  const fabric::Fabric no_torus(spec);
  collective::Planner q(no_torus, no_torus.spec().rack.chip.collectives);
  CHECK_FALSE(q.best(Op::allreduce, collective::first_ranks(no_torus, 8), 1e6).has_value());
}

// The mesh's floor (collective/mesh.cpp) lets the planner skip routing n^2 flows when the mesh
// cannot win: it must never be above the routed cost, siblings included, whatever the NICs.
TEST_CASE("collective selection: the mesh's floor is never above its routed cost") {
  for (const bool striped : {false, true})
    for (const int ranks_per_chip : {1, 2}) {
      hw::ClusterSpec spec = test::two_racks(4, 300e9, 0.5e-6, 50e9, 1e-6, 2e-6);
      spec.racks = 3;
      spec.rack.chip = test::simple_chip(ranks_per_chip);
      spec.rack.chip.core_bandwidth_Bps = 900e9;  // slow enough to bound some cases
      spec.rack.nics.striped = striped;
      spec.rack.nics.host_bandwidth_Bps = 80e9;
      const fabric::Fabric f(spec);
      collective::Planner p(f, f.spec().rack.chip.collectives);
      collective::Group g;
      for (int e = 0; e < f.endpoints(); e += 2) g.endpoints.push_back(e);  // every rack, half the ranks
      const std::vector<std::vector<int>> siblings = {{}, {1}};
      for (const auto& concurrent : siblings) {
        g.concurrent = concurrent;
        for (const Op op : {Op::allreduce, Op::allgather, Op::reducescatter, Op::alltoall, Op::broadcast}) {
          const auto& mesh = p.plans(op, g)[4];
          REQUIRE(mesh.name == "mesh");
          REQUIRE(mesh.applicable);
          double per_byte = 0, steps = 0;
          for (const auto& ph : mesh.phases) per_byte += ph.repeat * ph.seconds_per_byte, steps += ph.repeat;
          const collective::CostFloor floor = collective::mesh_floor(f, g, op);
          const std::string name = collective::op_name(op);
          const size_t sibling_count = concurrent.size();
          CAPTURE(striped);
          CAPTURE(ranks_per_chip);
          CAPTURE(name);
          CAPTURE(sibling_count);
          CHECK(floor.seconds_per_byte <= per_byte);
          CHECK(floor.seconds_per_byte > 0.5 * per_byte);  // and close enough to be worth asking
          CHECK(floor.steps == steps);
        }
      }
    }
}
