// Goodput at scale: Young's and Daly's checkpoint intervals against Daly's published worked
// values, Daly's wall time by hand, and the Llama 3 405B run's interruption rate and effective
// training time reproduced from per-component rates on a 16,384-H100 fabric.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "econ/goodput.hpp"
#include "fabric/fabric.hpp"
#include "io/cluster_reader.hpp"
#include "io/model_reader.hpp"
#include "workload/counts.hpp"

using namespace rackscope;

namespace {
const std::string kRoot = RACKSCOPE_SOURCE_DIR;
constexpr double kMin = 60, kHour = 3600, kDay = 86400;

hw::ClusterSpec cluster(const std::string& name, const std::vector<std::string>& sets = {}) {
  io::Overrides o;
  for (const auto& s : sets) o.add(s);
  io::InputFiles files;
  return io::read_cluster(kRoot + "/topologies/clusters/" + name + ".toml", o, files);
}

workload::ModelSpec model(const std::string& name) {
  io::InputFiles files;
  return io::read_model(kRoot + "/workloads/models/" + name + ".toml", {}, files);
}

// One failure class on accelerators only, sync saves, no spares needed: for hand derivations.
hw::Reliability simple_reliability(double accelerator_mtbf_s) {
  hw::Reliability r;
  r.failures[static_cast<int>(hw::Component::accelerator)] = {1, accelerator_mtbf_s, false};
  r.restart_s = 0;
  r.requeue_s = 0;
  r.spares = {false, 1 << 20, 0, 0};
  r.checkpoint.bytes_per_parameter = 14;
  r.checkpoint.storage_Bps = 1e12;
  return r;
}
}  // namespace

TEST_CASE("goodput: Young and Daly intervals reproduce Daly's worked values") {
  // Daly (FGCS 22(3), 2006): checkpoint delta = 5 min, restart R = 10 min (R does not enter the
  // interval). Published optimum: 117 min at M = 24 h, 57 min at M = 6 h, 9.1 min at M = 15 min.
  // Formula: sqrt(2 delta M) [1 + sqrt(delta/2M)/3 + (delta/2M)/9] - delta
  //   M = 1440 min: 120 x (1 + 0.041667/3 + 0.001736/9) - 5 = 116.69
  //   M =  360 min:  60 x (1 + 0.083333/3 + 0.006944/9) - 5 =  56.71
  //   M =   15 min: 12.247 x (1 + 0.408248/3 + 0.166667/9) - 5 = 9.141
  const double delta = 5 * kMin;
  CHECK(std::round(econ::daly_interval_s(delta, 24 * kHour) / kMin) == 117);
  CHECK(std::round(econ::daly_interval_s(delta, 6 * kHour) / kMin) == 57);
  CHECK(std::round(econ::daly_interval_s(delta, 15 * kMin) / kMin * 10) == 91);
  // Young's first-order sqrt(2 delta M): 120, 60 and 12.2 min.
  CHECK(econ::young_interval_s(delta, 24 * kHour) / kMin == doctest::Approx(120).epsilon(1e-12));
  CHECK(econ::young_interval_s(delta, 6 * kHour) / kMin == doctest::Approx(60).epsilon(1e-12));
  CHECK(std::round(econ::young_interval_s(delta, 15 * kMin) / kMin * 10) == 122);
  // delta >= 2M: Daly checkpoints once per M.
  CHECK(econ::daly_interval_s(2 * kHour, 1 * kHour) == 1 * kHour);
}

TEST_CASE("goodput: Daly's wall time by hand") {
  // T = 100 h of work, tau = 1 h, delta = 0.1 h, R = 0.2 h, M = 10 h:
  // M e^(R/M) (e^((tau+delta)/M) - 1) T / tau = 10 x e^0.02 x (e^0.11 - 1) x 100
  //   = 10 x 1.0202013 x 0.1162781 x 100 = 118.627 h.
  const double wall = econ::daly_wall_time_s(100 * kHour, 1 * kHour, 0.1 * kHour, 0.2 * kHour, 10 * kHour);
  CHECK(wall / kHour == doctest::Approx(10 * std::exp(0.02) * std::expm1(0.11) * 100).epsilon(1e-12));
  CHECK(wall / kHour == doctest::Approx(118.627).epsilon(1e-5));
  // Failures vanishing (M -> infinity): only the checkpoints remain, T (tau + delta) / tau.
  CHECK(econ::daly_wall_time_s(100 * kHour, 1 * kHour, 0.1 * kHour, 0.2 * kHour, 1e12 * kHour) / kHour ==
        doctest::Approx(110).epsilon(1e-6));
}

TEST_CASE("goodput: Llama 3 405B on 16,384 H100: an interruption every ~3.1 h, a little above 90% effective") {
  // h100-8x.toml at 2,048 racks: 16,384 H100 in 2,048 servers with one NIC per GPU, joined by a
  // radix-64 Clos, as the Llama 3 job (arXiv 2407.21783, sec. 3.3).
  const auto spec = cluster("h100-8x", {"racks=2048"});
  REQUIRE(spec.reliability);
  const fabric::Fabric f(spec);
  const auto e = econ::exposure(f);
  CHECK(e.accelerators == 16384);
  CHECK(e.hosts == 2048);
  CHECK(e.nics == 16384);
  // The population llama3-h100.toml pools the 35 switch-or-cable events over (50,432 units):
  // 512 leaves (16,384 NICs / 32 ports), 16 pods of 32 spines, and 256 cores (each core takes
  // one link from a spine of each of the 16 pods: bundles of 4 cables fill its 64 ports);
  // cables: 16,384 NIC-leaf, 512 x 32 leaf-spine, 512 x 32 spine-core.
  CHECK(e.switches == 512 + 512 + 256);
  CHECK(e.links == 49152);
  CHECK(e.scale_up_switches == 2048);
  CHECK(e.scale_up_links == 16384);

  // Table 5: 419 unexpected interruptions in 54 days (1,296 h): one every 3.093 h. The file's
  // per-component rates times these counts add back to exactly that.
  const auto& r = *spec.reliability;
  const auto m = model("llama-3.1-405b");
  const double work_s = 54 * kDay;
  const auto g = econ::goodput(r, e, econ::checkpoint_bytes(m, r), work_s);
  CHECK(g.mtbf_s / kHour == doctest::Approx(1296.0 / 419).epsilon(1e-9));
  double per_hour = 0;
  for (const auto& [name, rate] : g.failures_per_hour) per_hour += rate;
  CHECK(per_hour == doctest::Approx(419.0 / 1296).epsilon(1e-9));
  CHECK(g.assumed);  // the switch/cable population is this project's Clos, an assumption

  // Checkpoint: 405.9 B parameters x 14 B (bf16 weights, fp32 master, Adam moments) = 5.68 TB,
  // written synchronously to Tectonic at its 2 TB/s sustained: delta = 2.84 s. Restart 5 min +
  // re-queue 5 min (Daly's R = 10 min) + reading the checkpoint back 2.84 s; 5% spare servers
  // (103) make waiting for a repair negligible. Then, with M = 11,135 s:
  //   Daly's tau = 251.5 x (1 + 0.00377 + 0.00001) - 2.84 = 249.6 s
  //   wall / work = e^(602.8/M) x M (e^((249.6 + 2.84)/M) - 1) / 249.6 = 1.05563 x 1.02294 = 1.0798
  //   planned (47 of 466): rate (1/M) x 0.1009/0.8991, each costing 602.8 s: / (1 - 0.00608)
  //   -> wall / work = 1.0864, goodput 0.9204: "more than 90% effective training time".
  CHECK(g.checkpoint_B == doctest::Approx(workload::total_params(m) * 14));
  CHECK(g.checkpoint_s == doctest::Approx(g.checkpoint_B / 2e12));
  CHECK(g.interval_s == doctest::Approx(econ::daly_interval_s(g.checkpoint_s, g.mtbf_s)));
  CHECK(g.spare_wait_probability < 1e-6);
  CHECK(g.restart_s == doctest::Approx(600 + g.checkpoint_s).epsilon(1e-6));
  CHECK(g.goodput > 0.90);
  CHECK(g.goodput < 0.93);
  CHECK(g.goodput == doctest::Approx(0.9204).epsilon(0.001));
  // Interruptions over the run: planned and unexpected in the published 47 : 419 proportion.
  CHECK(g.planned_interruptions / (g.interruptions - g.planned_interruptions) == doctest::Approx(0.1009 / 0.8991));
  CHECK(g.interruptions == doctest::Approx(g.wall_time_s / g.mtbf_s / 0.8991));
}

TEST_CASE("goodput: spares, asynchronous saves and storage per host") {
  econ::Exposure e;
  e.accelerators = 1000;
  e.hosts = 100;
  e.racks = 10;
  const double work_s = 100 * kDay;
  const double bytes = 1e12;

  // No spares: every hardware failure waits the replace time; software failures do not.
  auto r = simple_reliability(1000 * 10 * kHour);  // one failure per 10 h over 1,000 chips
  r.failures[static_cast<int>(hw::Component::software)] = {1, 1000 * 10 * kHour, false};
  r.spares = {false, 0, 0, 4 * kHour};
  auto g = econ::goodput(r, e, bytes, work_s);
  CHECK(g.mtbf_s == doctest::Approx(5 * kHour));
  CHECK(g.spare_wait_probability == 1.0);
  CHECK(g.restart_s == doctest::Approx(1.0 + 0.5 * 4 * kHour));  // 1 s checkpoint read + half the failures wait 4 h
  // One spare per rack: a rack sees 0.01 hardware failures per hour, so 0.04 parts are in repair
  // on average and a failure finds its rack's spare busy with probability 1 - e^-0.04.
  r.spares = {true, 1, 0, 4 * kHour};
  g = econ::goodput(r, e, bytes, work_s);
  CHECK(g.spare_wait_probability == doctest::Approx(1 - std::exp(-0.04)));
  // One spare for the whole cluster (0.1 failures/h, 0.4 in repair): busy with 1 - e^-0.4.
  r.spares = {false, 1, 0, 4 * kHour};
  g = econ::goodput(r, e, bytes, work_s);
  CHECK(g.spare_wait_probability == doctest::Approx(1 - std::exp(-0.4)));
  // As a share: 5% of 10 racks rounds up to 1 spare rack; 25% of a rack's 10 hosts to 3 hosts,
  // busy when all 3 are in repair: 1 - e^-0.04 (1 + 0.04 + 0.04^2/2).
  r.spares = {false, 0, 0.05, 4 * kHour};
  CHECK(econ::goodput(r, e, bytes, work_s).spares == 1);
  r.spares = {true, 0, 0.25, 4 * kHour};
  g = econ::goodput(r, e, bytes, work_s);
  CHECK(g.spares == 3);
  CHECK(g.spare_wait_probability == doctest::Approx(1 - std::exp(-0.04) * (1 + 0.04 + 0.0008)));

  // Asynchronous save: training blocks for the copy to host memory only (1 TB over 1,000 chips at
  // 10 GB/s each: 0.1 s); the 1 s drain to storage bounds the interval from below and is lost work.
  r = simple_reliability(1000 * 10 * kHour);
  r.checkpoint.async = true;
  r.checkpoint.host_copy_Bps = 10e9;
  g = econ::goodput(r, e, bytes, work_s);
  CHECK(g.checkpoint_s == doctest::Approx(0.1));
  CHECK(g.drain_s == doctest::Approx(1.0));
  CHECK(g.interval_s == doctest::Approx(econ::daly_interval_s(0.1, 10 * kHour)));
  CHECK(g.wall_time_s == doctest::Approx(econ::daly_wall_time_s(work_s, g.interval_s, 0.1, g.restart_s + 1.0, 10 * kHour)));
  // A fixed pause per save (staging, the save plan) adds to the copy: 2 s + 0.1 s blocking.
  r.checkpoint.pause_per_save_s = 2.0;
  g = econ::goodput(r, e, bytes, work_s);
  CHECK(g.checkpoint_s == doctest::Approx(2.1));
  CHECK(g.interval_s == doctest::Approx(econ::daly_interval_s(2.1, 10 * kHour)));
  r.checkpoint.pause_per_save_s = 0;
  // A sync save of the same checkpoint blocks for the whole 1 s write.
  r.checkpoint.async = false;
  CHECK(econ::goodput(r, e, bytes, work_s).checkpoint_s == doctest::Approx(1.0));
  // Storage that scales per host, capped by the aggregate: 100 hosts x 2 GB/s = 200 GB/s < 1 TB/s.
  r.checkpoint.storage_per_host_Bps = 2e9;
  g = econ::goodput(r, e, bytes, work_s);
  CHECK(g.storage_Bps == doctest::Approx(200e9));
  CHECK(g.checkpoint_s == doctest::Approx(5.0));

  // Nothing fails: all work, no checkpoints.
  r.failures = {};
  g = econ::goodput(r, e, bytes, work_s);
  CHECK(g.goodput == 1.0);
  CHECK(g.interruptions == 0);
}

TEST_CASE("goodput: Trainium clusters rest on assumed rates and count their NeuronLink parts") {
  const auto spec = cluster("trn2-ultraserver-x64");
  REQUIRE(spec.reliability);
  const fabric::Fabric f(spec);
  const auto e = econ::exposure(f);
  CHECK(e.accelerators == 4096);
  CHECK(e.hosts == 256);
  CHECK(e.scale_up_links == 64 * 3 * 16 * 4);  // per rack: 3 dimensions x 16 rings of 4 links
  const auto& r = *spec.reliability;
  const auto g = econ::goodput(r, e, econ::checkpoint_bytes(model("llama-3.1-405b"), r), 30 * kDay);
  CHECK(g.assumed);
  CHECK(g.assumed_rates.size() == hw::kComponents);
  CHECK(r.checkpoint.async);
  CHECK(g.checkpoint_s == doctest::Approx(6.0 + g.checkpoint_B / (32e9 * 4096)));  // the 6 s pause + the copy
  CHECK(g.goodput > 0.5);
  CHECK(g.goodput < 1.0);
}

TEST_CASE("goodput: --set reaches the reliability file") {
  const auto spec = cluster("h100-8x", {"reliability.checkpoint.storage_bandwidth=1 TB/s", "reliability.failures.host.events=0"});
  REQUIRE(spec.reliability);
  CHECK(spec.reliability->checkpoint.storage_Bps == 1e12);
  CHECK(spec.reliability->rate(hw::Component::host).events == 0);
  CHECK(spec.reliability->rate(hw::Component::accelerator).events == 196);
}
