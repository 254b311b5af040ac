// The packaging reaches collective time: ranks on different dies of one chip exchange data over
// the package's die-to-die link, so the same cluster built from trn3 (CoWoS-L) and trn3-emib
// (EMIB-T) times die-crossing collectives differently.
//
// Derivation (topologies/chips/trn3*.toml, topologies/packaging/*.toml). Both chips give the
// die pair 1.8 mm of edge at 658 GB/s/mm per direction (UCIe-A at 45 um), scaled by
// (45 um / bump pitch)^2: CoWoS-L at 40 um -> 1.8 x 658 x 1.266 = 1,499 GB/s; EMIB-T at 45 um ->
// 1,184 GB/s. Link latency = 2 ns PHY + a 256 B flit serialised: 2.171 ns and 2.216 ns.
// A ring all-reduce over the 4 ranks of chip 0 (ranks 0,1 on die 0, ranks 2,3 on die 1) takes
// 2(n-1) = 6 steps; in every step flows 1->2 and 3->0 cross the dies, so each step's slowest
// route holds one die-to-die hop. The d2d link carries S/4 per step per direction, far below
// what the 139 GB/s per-rank core links allow, so bandwidth does not bind: the EMIB build is
// slower by exactly 6 x (2.216 - 2.171) ns = 0.27 ns at every size. Traffic between ranks of one
// die, or a chip of one die, does not change at all. When the d2d link is narrower than the
// cores' traffic across it, its bandwidth sets the step time (last case).
#include <doctest/doctest.h>

#include <cmath>

#include "collective/select.hpp"
#include "io/cluster_reader.hpp"

using namespace rackscope;
using collective::Op;

namespace {
const std::string root = RACKSCOPE_SOURCE_DIR;

hw::ClusterSpec cluster(const std::string& name) {
  io::InputFiles files;
  return io::read_cluster(root + "/topologies/clusters/" + name + ".toml", io::Overrides(), files);
}

double ring_time(const hw::ClusterSpec& spec, const std::vector<int>& endpoints, double bytes) {
  const fabric::Fabric f(spec);
  collective::Planner p(f, f.spec().rack.chip.collectives);
  const auto c = p.best(Op::allreduce, collective::Group{endpoints, {}}, bytes, "ring");
  REQUIRE(c.has_value());
  return c->time_s;
}
}  // namespace

TEST_CASE("die crossing: trn3 on CoWoS-L vs EMIB-T") {
  const hw::ClusterSpec cowos = cluster("trn3-ultraserver-gen1"), emib = cluster("trn3-ultraserver-gen1-emib");
  const auto& lc = cowos.rack.chip.die_links, &le = emib.rack.chip.die_links;
  REQUIRE(lc.size() == 1);
  REQUIRE(le.size() == 1);
  CHECK(lc[0].bandwidth_Bps == doctest::Approx(1.8e-3 * 658e12 * std::pow(45.0 / 40, 2)));
  CHECK(le[0].bandwidth_Bps == doctest::Approx(1.8e-3 * 658e12));
  CHECK(lc[0].latency_s == doctest::Approx(2e-9 + 256 / lc[0].bandwidth_Bps));
  CHECK(le[0].latency_s == doctest::Approx(2e-9 + 256 / le[0].bandwidth_Bps));
  const double per_step = le[0].latency_s - lc[0].latency_s;
  CHECK(per_step * 1e9 == doctest::Approx(0.0453).epsilon(0.01));
  for (double bytes : {1024.0, 1048576.0, 1073741824.0}) {
    CAPTURE(bytes);
    const double t_cowos = ring_time(cowos, {0, 1, 2, 3}, bytes), t_emib = ring_time(emib, {0, 1, 2, 3}, bytes);
    CHECK(t_emib > t_cowos);
    CHECK(t_emib - t_cowos == doctest::Approx(6 * per_step).epsilon(1e-3));
    // Two ranks of one die never cross: the packaging does not show.
    CHECK(ring_time(cowos, {0, 1}, bytes) == ring_time(emib, {0, 1}, bytes));
  }
}

TEST_CASE("die crossing: a die-to-die link narrower than the cores' traffic sets the step time") {
  hw::ClusterSpec spec = cluster("trn3-ultraserver-gen1");
  const double core = spec.rack.chip.core_bandwidth_Bps;  // 139 GB/s
  const double e = spec.rack.chip.collectives.protocols.front().bandwidth_efficiency;
  const double S = 1073741824.0;
  const double wide = ring_time(spec, {0, 1, 2, 3}, S);
  // A d2d link at half a core link: each ring step moves S/4 over it (one flow per direction),
  // so each of the 6 steps grows by (S/4)/e x (1/(core/2) - 1/core), latency aside.
  spec.rack.chip.die_links[0].bandwidth_Bps = core / 2;
  const double narrow = ring_time(spec, {0, 1, 2, 3}, S);
  CHECK(narrow - wide == doctest::Approx(6 * (S / 4) / e * (2 / core - 1 / core)).epsilon(1e-3));
}
