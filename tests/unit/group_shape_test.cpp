// Plans keyed by the communicator's shape (collective/group_shape.hpp, Planner::best by shape):
// shapes that describe the same communicator share one plan; shapes that differ in size, stride
// or siblings do not; a shape lays out the endpoints and siblings workload::place() would.
#include <doctest/doctest.h>

#include "collective/group_shape.hpp"
#include "collective/select.hpp"
#include "test_clusters.hpp"

using namespace rackscope;
using collective::GroupShape;
using collective::Op;

namespace {
GroupShape shape(std::vector<std::pair<int, int>> own, std::vector<std::pair<int, int>> siblings, int limit) {
  GroupShape s;
  for (auto [size, stride] : own) s.add_own(size, stride);
  for (auto [size, stride] : siblings) s.add_sibling(size, stride);
  s.set_limit(limit);
  return s;
}
}  // namespace

TEST_CASE("group shape: lays out the endpoints dimension by dimension and the siblings below the limit") {
  // 2 x 2 ranks (strides 1 and 4): {0, 4, 1, 5} in place()'s order (each new dimension innermost);
  // siblings at strides 8 and 2 below 10: offsets 2, 8 in ascending order (0 is the group itself;
  // 10 is not below).
  const collective::Group g = collective::materialize(shape({{2, 1}, {2, 4}}, {{2, 8}, {2, 2}}, 10));
  CHECK(g.endpoints == std::vector<int>{0, 4, 1, 5});
  CHECK(g.concurrent == std::vector<int>{2, 8});
  CHECK(shape({{2, 1}, {2, 4}}, {}, 0).last_rank() == 5);
  CHECK(shape({{2, 1}, {2, 4}}, {}, 0).size() == 4);
}

TEST_CASE("group shape: the same communicator described twice shares one plan, a different one gets its own") {
  const fabric::Fabric f(test::switch_cluster(8));
  collective::Planner planner(f, f.spec().rack.chip.collectives);
  const double bytes = 1 << 20;
  // 4 ranks at stride 2 with siblings at offset 1; the second description adds dimensions of
  // size 1 and a sibling dimension past the limit: neither adds a rank.
  const GroupShape a = shape({{4, 2}}, {{2, 1}}, 8);
  const GroupShape same = shape({{1, 1}, {4, 2}, {1, 8}}, {{2, 1}, {3, 8}}, 8);
  CHECK(a == same);
  CHECK(a.hash() == same.hash());
  const auto first = planner.best(Op::allreduce, a, bytes);
  REQUIRE(first);
  const size_t plans = planner.cached_plans();
  CHECK(plans == 1);
  CHECK(planner.best(Op::allreduce, same, bytes)->time_s == first->time_s);
  // Asked by endpoint list, the same group finds the same plan too.
  CHECK(planner.best(Op::allreduce, collective::materialize(a), bytes)->time_s == first->time_s);
  CHECK(planner.cached_plans() == plans);

  // Siblings as another grid reaching the same offsets (8 at stride 1 below 8, as 2 x 4, or 4 x 2
  // in the other order): the same plan.
  const GroupShape b = shape({{4, 2}}, {{2, 1}}, 8);
  CHECK(shape({{2, 4}}, {{2, 1}, {2, 2}}, 8) == shape({{2, 4}}, {{4, 1}}, 8));
  CHECK(shape({{2, 4}}, {{2, 2}, {2, 1}}, 8).hash() == shape({{2, 4}}, {{4, 1}, {1, 4}}, 8).hash());
  CHECK(collective::materialize(shape({{2, 4}}, {{2, 2}, {2, 1}}, 8)).concurrent == std::vector<int>{1, 2, 3});
  CHECK_FALSE(shape({{2, 4}}, {{2, 1}, {2, 4}}, 8) == shape({{2, 4}}, {{4, 1}}, 8));
  CHECK(b == a);

  // Asymmetric: another stride (ranks on other chips), or the same ranks without siblings, or
  // another op, is another plan.
  const GroupShape wider = shape({{4, 1}}, {{2, 4}}, 8);
  const GroupShape alone = shape({{4, 2}}, {}, 0);
  CHECK_FALSE(a == wider);
  CHECK_FALSE(a == alone);
  planner.best(Op::allreduce, wider, bytes);
  CHECK(planner.cached_plans() == plans + 1);
  planner.best(Op::allreduce, alone, bytes);
  CHECK(planner.cached_plans() == plans + 2);
  planner.best(Op::allgather, a, bytes);
  CHECK(planner.cached_plans() == plans + 3);
}
