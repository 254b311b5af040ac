// Rack economics (src/econ/cost.hpp): bills of materials summed by hand, scale-out switch counts
// against the Clos the fabric builder made, power at load between idle and peak, run cost by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "econ/cost.hpp"
#include "econ/parts.hpp"
#include "fabric/clos_shape.hpp"
#include "collective/select.hpp"
#include "eval/evaluate.hpp"
#include "io/cluster_reader.hpp"
#include "io/model_reader.hpp"
#include "test_clusters.hpp"

using namespace rackscope;

namespace {
hw::ClusterSpec shipped(const std::string& name, const std::vector<std::string>& sets = {}) {
  io::Overrides overrides;
  for (const auto& s : sets) overrides.add(s);
  io::InputFiles files;
  return io::read_cluster(std::string(RACKSCOPE_SOURCE_DIR) + "/topologies/clusters/" + name + ".toml", overrides, files);
}

hw::Stated v(double value) { return {value, "test", false}; }

// Round prices and powers, so the sums below can be done by hand.
hw::RackEconomics test_rack_economics() {
  hw::RackEconomics e;
  e.chip_price_usd = v(1000);
  e.chip_power_W = v(500);
  e.idle_fraction = v(0.2);
  e.communication_fraction = v(0.5);
  e.memory_bound_fraction = v(0.8);
  e.hosts = v(1);
  e.host_price_usd = v(5000);
  e.host_power_W = v(1000);
  e.scale_up_switch_price_usd = v(3000);
  e.scale_up_switch_power_W = v(100);
  e.scale_up_link_price_usd = v(10);
  e.nic_price_usd = v(100);
  e.nic_power_W = v(10);
  e.rack_infrastructure_usd = v(2000);
  e.rack_overhead_power_W = v(200);
  e.rent_usd_per_hour = v(10);
  return e;
}

hw::ClusterEconomics test_cluster_economics() {
  hw::ClusterEconomics e;
  e.switch_price_usd = v(10000);
  e.switch_power_W = v(500);
  e.nic_link_price_usd = v(50);
  e.nic_link_power_W = v(5);
  e.switch_link_price_usd = v(100);
  e.switch_link_power_W = v(10);
  e.pue = v(1.5);
  e.electricity_usd_per_kWh = v(0.1);
  e.amortisation_years = v(4);
  e.maintenance_per_year = v(0.05);
  return e;
}

// `racks` racks of 4 chips on one switch, one 100 Gbps NIC per chip, a radix-8 Clos of
// 100 Gbps links: a leaf takes 4 NICs down and 4 spines up (4 + 4 = 8 ports, 1:1).
hw::ClusterSpec clos_cluster(int racks) {
  hw::ClusterSpec c = test::switch_cluster(4);
  c.racks = racks;
  c.rack.nics.count = 4;
  c.rack.nics.bandwidth_Bps = 12.5e9;
  c.rack.nics.host_latency_s = 1e-6;
  c.scale_out.kind = hw::ScaleOutSpec::Kind::clos;
  c.scale_out.radix = 8;
  c.scale_out.link_bandwidth_Bps = 12.5e9;
  c.scale_out.hop_latency_s = 1e-6;
  c.rack.economics = test_rack_economics();
  c.economics = test_cluster_economics();
  return c;
}

double line_total(const std::vector<econ::BomLine>& lines, const std::string& item) {
  for (const auto& l : lines) {
    CHECK(l.total_usd == doctest::Approx(l.count * l.unit_usd));
    if (l.item == item) return l.total_usd;
  }
  FAIL("no line " << item);
  return 0;
}

eval::Report step_of(std::vector<std::pair<eval::Term, double>> breakdown) {
  eval::Report r;
  for (const auto& [term, s] : breakdown) {
    r.breakdown[term] = s;
    r.step_time_s += s;
  }
  return r;
}
}  // namespace

TEST_CASE("econ: Trn2 UltraServer bill of materials, line by line") {
  const hw::ClusterSpec spec = shipped("trn2-ultraserver");
  const fabric::Fabric f(spec);
  const econ::Capex c = econ::capex(f);
  // Chips: 64 x (package unit cost x markup 2.0); the unit cost is the packaging model's.
  const double chip_usd = spec.rack.chip.package->unit_cost_usd * 2.0;
  CHECK(line_total(c.rack_lines, "chips") == doctest::Approx(64 * chip_usd));
  CHECK(line_total(c.rack_lines, "hosts") == doctest::Approx(4 * 60000.0));          // 240,000
  // 4x4x4 torus: 3 dimensions x 16 rings x 4 links = 192 links.
  CHECK(line_total(c.rack_lines, "scale-up links") == doctest::Approx(192 * 133.0));  // 25,536
  CHECK(line_total(c.rack_lines, "NICs") == doctest::Approx(64 * 1200.0));           // 76,800
  CHECK(line_total(c.rack_lines, "rack, power shelves, cooling") == doctest::Approx(60000.0));
  CHECK(c.rack_lines.size() == 5);  // a torus rack has no scale-up switch line
  CHECK(c.rack_usd == doctest::Approx(64 * chip_usd + 240000 + 25536 + 76800 + 60000));
  // Scale-out, radix 64 with 400 Gbps links over 200 Gbps NICs: a leaf takes 42 NICs and
  // 21 uplinks (42 x 200 = 21 x 400; 63 <= 64 ports), so 64 NICs need 2 leaves; their 2 x 21
  // uplinks fill 42 of one spine's 64 ports (bundles of 21 cables), not one port each of 21
  // spines. Links: 64 NIC-leaf and 2 x 21 leaf-spine.
  CHECK(line_total(c.cluster_lines, "scale-out leaf switches") == doctest::Approx(2 * 30000.0));
  CHECK(line_total(c.cluster_lines, "scale-out spine switches") == doctest::Approx(1 * 30000.0));
  CHECK(line_total(c.cluster_lines, "NIC-leaf optics and cables") == doctest::Approx(64 * 300.0));
  CHECK(line_total(c.cluster_lines, "leaf-spine optics and cables") == doctest::Approx(42 * 1500.0));
  CHECK(c.cluster_usd == doctest::Approx(c.rack_usd + 60000 + 30000 + 19200 + 63000));
  CHECK(c.assumed);  // Trn2 prices are not published
}

TEST_CASE("econ: --set reaches the economics files and carries its own provenance") {
  const hw::ClusterSpec spec = shipped("trn2-ultraserver", {"rack.economics.chip_markup=1.5", "economics.pue=1.3"});
  REQUIRE(spec.rack.economics->chip_markup);
  CHECK(spec.rack.economics->chip_markup->value == 1.5);
  CHECK(spec.rack.economics->chip_markup->provenance == "--set rack.economics.chip_markup=1.5");
  CHECK_FALSE(spec.rack.economics->chip_markup->assumed);
  CHECK(spec.economics->pue.value == 1.3);
  const econ::Capex c = econ::capex(fabric::Fabric(spec));
  CHECK(c.rack_lines.front().unit_usd == doctest::Approx(spec.rack.chip.package->unit_cost_usd * 1.5));
  // A sourced number is not flagged: the H100's power is a published TDP.
  const hw::ClusterSpec h100 = shipped("h100-8x");
  CHECK_FALSE(h100.rack.economics->chip_power_W->assumed);
  CHECK(h100.rack.economics->hosts.assumed == false);
  CHECK(h100.rack.economics->host_price_usd.assumed);
}

TEST_CASE("econ: scale-out switches equal the Clos the builder made") {
  SUBCASE("2 levels: 4 racks, 16 NICs on 4 leaves, 2 spines") {
    const hw::ClusterSpec spec = clos_cluster(4);
    const fabric::ClosShape shape = fabric::clos_shape(spec);
    REQUIRE(shape.levels == 2);
    const econ::FabricParts p = econ::count_parts(fabric::Fabric(spec));
    REQUIRE(p.scale_out_switches.size() == 2);
    CHECK(p.scale_out_switches[0] == 4);  // 16 NICs / 4 down ports
    // 4 leaves x 4 uplinks = 16 cables fill 2 spines of radix 8: each leaf joins each spine by
    // 2 cables (a spine per uplink would leave half of every spine's ports empty).
    CHECK(shape.top_bundle == 2);
    CHECK(p.scale_out_switches[1] == 2);
    CHECK(p.scale_out_switches[0] == shape.leaves);
    CHECK(p.scale_out_switches[1] == shape.up / shape.top_bundle);
    CHECK(p.nic_links == 16);
    REQUIRE(p.switch_links.size() == 1);
    CHECK(p.switch_links[0] == 4 * 4);  // every leaf's 4 uplinks, counted as cables
    CHECK(p.scale_up_switches_per_rack == 1);
    CHECK(p.scale_up_links_per_rack == 4);
    CHECK(p.nics_per_rack == 4);
  }
  SUBCASE("3 levels: 12 racks, 48 NICs on 12 leaves in 3 pods of 4, 4 spines per pod, 8 cores") {
    const hw::ClusterSpec spec = clos_cluster(12);
    const fabric::ClosShape shape = fabric::clos_shape(spec);
    REQUIRE(shape.levels == 3);
    const econ::FabricParts p = econ::count_parts(fabric::Fabric(spec));
    REQUIRE(p.scale_out_switches.size() == 3);
    CHECK(p.scale_out_switches[0] == 12);     // 48 NICs / 4
    CHECK(p.scale_out_switches[1] == 3 * 4);  // 12 leaves / (radix/2 = 4 per pod) = 3 pods x 4 uplinks
    // A core takes one link from a spine of each of the 3 pods: 3 of its 8 ports. Bundles of 2
    // cables (3 x 2 = 6 <= 8) halve the cores: 4 spine positions x (radix/2) / 2 = 8.
    CHECK(shape.top_bundle == 2);
    CHECK(p.scale_out_switches[2] == 4 * 2);
    CHECK(p.scale_out_switches[0] == shape.leaves);
    CHECK(p.scale_out_switches[1] == shape.pods * shape.up);
    CHECK(p.scale_out_switches[2] == shape.up * 8 / 2 / shape.top_bundle);
    REQUIRE(p.switch_links.size() == 2);
    CHECK(p.switch_links[0] == 12 * 4);  // each leaf to the 4 spines of its pod
    CHECK(p.switch_links[1] == 12 * 4);  // each spine's 4 uplinks, as cables
    const econ::Capex c = econ::capex(fabric::Fabric(spec));
    CHECK(line_total(c.cluster_lines, "scale-out core switches") == doctest::Approx(8 * 10000.0));
    CHECK(line_total(c.cluster_lines, "spine-core optics and cables") == doctest::Approx(48 * 100.0));
  }
  SUBCASE("3 levels, a partial last pod: 10 leaves in pods of 4, 4 and 2") {
    const hw::ClusterSpec spec = clos_cluster(10);
    const fabric::ClosShape shape = fabric::clos_shape(spec);
    REQUIRE(shape.levels == 3);
    REQUIRE(shape.pods == 3);
    CHECK(shape.top_bundle == 2);  // 3 pods x 2 cables <= 8 ports: 2 cores per spine position
    const fabric::Fabric f(spec);
    const econ::FabricParts p = econ::count_parts(f);
    REQUIRE(p.switch_links.size() == 2);
    CHECK(p.scale_out_switches[1] == 3 * 4);  // a spine per leaf uplink in every pod, full or not
    CHECK(p.scale_out_switches[2] == 8);
    CHECK(p.switch_links[0] == 10 * 4);
    // A full pod's spine: 4 leaves down, 2 bundles of 2 cables up. The last pod's spines have 2
    // leaves down, so 2 single cables up (not 4): 2 x 4 x 4 + 4 x 2 = 40 spine-core cables.
    CHECK(p.switch_links[1] == 2 * 4 * 4 + 4 * 2);
    // Thinner, not fewer: the last pod's spine still reaches both cores of its position, at one
    // cable's bandwidth each.
    int last_pod_uplinks = 0;
    for (const fabric::Link& l : f.links())
      if (f.vertex_name(l.from) == "pod2.spine0" && f.vertex_name(l.to).rfind("core", 0) == 0) {
        ++last_pod_uplinks;
        CHECK(l.cables == 1);
        CHECK(l.bandwidth_Bps == doctest::Approx(12.5e9));
      }
    CHECK(last_pod_uplinks == 2);
  }
}

TEST_CASE("econ: a small cluster's capital, peak power and run cost by hand") {
  const hw::ClusterSpec spec = clos_cluster(4);
  const fabric::Fabric f(spec);
  const econ::Capex c = econ::capex(f);
  // Rack: chips 4 x 1,000 + host 5,000 + switch 3,000 + links 4 x 10 + NICs 4 x 100 + rack 2,000.
  CHECK(c.rack_usd == doctest::Approx(4000 + 5000 + 3000 + 40 + 400 + 2000));  // 14,440
  // Cluster: 4 racks + 6 switches (4 leaves, 2 spines) x 10,000 + 16 NIC links x 50 + 16
  // leaf-spine cables x 100.
  CHECK(c.cluster_usd == doctest::Approx(4 * 14440 + 60000 + 800 + 1600));  // 120,160
  CHECK_FALSE(c.assumed);

  const econ::PowerDraw peak = econ::peak_power(f);
  CHECK(peak.chips_W == doctest::Approx(16 * 500.0));
  CHECK(peak.hosts_W == doctest::Approx(4 * 1000.0));
  CHECK(peak.switches_W == doctest::Approx(6 * 500.0 + 4 * 100.0));
  CHECK(peak.nics_W == doctest::Approx(16 * 10.0));
  CHECK(peak.optics_W == doctest::Approx(16 * 5.0 + 16 * 10.0));
  CHECK(peak.other_W == doctest::Approx(4 * 200.0));
  CHECK(peak.it_W == doctest::Approx(8000 + 4000 + 3400 + 160 + 240 + 800));  // 16,600
  CHECK(peak.facility_W == doctest::Approx(16600 * 1.5));                        // 24,900

  // 1,000 hours at peak: 24,900 kWh at $0.10; capital over 4 Julian years of 8,766 h; 5% a year.
  const econ::RunCost r = econ::run_cost(f, c, peak, 1000 * 3600.0);
  CHECK(r.energy_J == doctest::Approx(24900 * 3600.0 * 1000));
  CHECK(r.electricity_usd == doctest::Approx(2490.0));
  CHECK(r.amortised_capex_usd == doctest::Approx(120160.0 * 1000 / (4 * 8766)));  // 3,426.88
  CHECK(r.maintenance_usd == doctest::Approx(120160.0 * 0.05 * 1000 / 8766));     // 685.38
  CHECK(r.tco_usd == doctest::Approx(r.electricity_usd + r.amortised_capex_usd + r.maintenance_usd));
  CHECK(r.has_rent);
  CHECK(r.rent_usd == doctest::Approx(4 * 10.0 * 1000));
}

TEST_CASE("econ: power at load lies between idle and peak") {
  const fabric::Fabric f(clos_cluster(4));
  const econ::PowerDraw peak = econ::peak_power(f);
  const econ::PowerDraw all_compute = econ::power_at_load(f, step_of({{eval::Term::compute, 2.0}, {eval::Term::recompute, 1.0}}));
  CHECK(all_compute.it_W == doctest::Approx(peak.it_W));
  CHECK(all_compute.facility_W == doctest::Approx(peak.facility_W));
  const econ::PowerDraw idle = econ::power_at_load(f, step_of({{eval::Term::pp_bubble, 1.0}, {eval::Term::overhead, 1.0}}));
  CHECK(idle.chips_W == doctest::Approx(16 * 500 * 0.2));
  // One second each of compute (1), tp_comm (0.5), optimizer (0.8) and bubble (0.2).
  const econ::PowerDraw mixed =
      econ::power_at_load(f, step_of({{eval::Term::compute, 1.0}, {eval::Term::tp_comm, 1.0}, {eval::Term::optimizer, 1.0}, {eval::Term::pp_bubble, 1.0}}));
  CHECK(mixed.chip_draw == doctest::Approx((1 + 0.5 + 0.8 + 0.2) / 4));
  CHECK(mixed.chips_W == doctest::Approx(16 * 500 * 0.625));
  CHECK(mixed.it_W > idle.it_W);
  CHECK(mixed.it_W < peak.it_W);
  // Everything but the chips is taken at its stated power.
  CHECK(mixed.it_W - mixed.chips_W == doctest::Approx(peak.it_W - peak.chips_W));
  // A term without a power class does not compile (a switch over eval::Term, -Wswitch).
}

TEST_CASE("econ: every term of a real step has a power class, and the draw lies between idle and peak") {
  const fabric::Fabric f(clos_cluster(4));  // 16 chips
  collective::Planner planner(f, f.spec().rack.chip.collectives);
  compute::Profile profile;
  io::InputFiles files;
  const auto model = io::read_model(std::string(RACKSCOPE_SOURCE_DIR) + "/workloads/models/llama-3.1-8b.toml", {}, files);
  workload::Execution e;
  e.tp = 4, e.pp = 2, e.dp = 2, e.global_batch = 16;
  const eval::Report step = eval::evaluate({f, planner, profile}, model, e);
  REQUIRE(step.feasible());
  const econ::PowerDraw at_load = econ::power_at_load(f, step);
  CHECK(at_load.chip_draw >= 0.2);  // idle_fraction
  CHECK(at_load.chip_draw < 1.0);   // a pipeline with communication is not all compute
  CHECK(at_load.it_W < econ::peak_power(f).it_W);
}

TEST_CASE("econ: a cluster without economics is an input error naming the key") {
  hw::ClusterSpec spec = clos_cluster(4);
  spec.rack.economics.reset();
  spec.rack.file = "rack.toml";
  CHECK_FALSE(econ::has_economics(spec));
  const fabric::Fabric f(spec);
  try {
    econ::capex(f);
    FAIL("no error");
  } catch (const io::InputError& e) {
    CHECK(std::string(e.what()).find("rack.toml: economics: rack 'switch-rack' names no economics file") == 0);
  }
  spec.rack.economics = test_rack_economics();
  spec.economics.reset();
  spec.file = "cluster.toml";
  CHECK_THROWS_AS(econ::peak_power(fabric::Fabric(spec)), io::InputError);
}
