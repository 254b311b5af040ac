// The packaging model: published Trainium totals come out of the die + HBM derivation, an
// infeasible package is refused with its reason, and the yield/cost/supply formulas match their
// closed forms.
#include <doctest/doctest.h>

#include <cmath>

#include "hw/package_parts.hpp"
#include "io/chip_reader.hpp"
#include "io/packaging_reader.hpp"

using namespace rackscope;

namespace {
const std::string root = RACKSCOPE_SOURCE_DIR;

hw::Chip chip(const std::string& name) {
  io::InputFiles files;
  io::Overrides none;
  return io::read_chip(files.load(root + "/topologies/chips/" + name + ".toml", "chip", none), none, files);
}

hw::Packaging packaging(const std::string& name) {
  io::InputFiles files;
  return io::read_packaging(files.load(root + "/topologies/packaging/" + name + ".toml", "packaging", io::Overrides()));
}

// A one-die chip with `stacks` HBM3E stacks on `pkg` in 2025; every number is a round test value.
hw::PackagedChipSpec spec_on(const hw::Packaging& pkg, int stacks) {
  hw::PackagedChipSpec s;
  s.year = 2025;
  s.packaging = pkg;
  s.bump_pitch_m = 45e-6;
  hw::DieSpec d;
  d.name = "die";
  d.area_m2 = 400e-6;
  d.cores = 4;
  d.flops[hw::Precision::bf16] = 100e12;
  d.power_W = 300;
  d.wafer_usd = 10000;
  d.defects_per_m2 = 0.1e4;
  d.clustering = 2;
  s.dies = {d};
  hw::HbmStacks h;
  h.generation.footprint_m2 = 100e-6;
  h.generation.energy_J_per_bit = 4e-12;
  h.generation.usd_per_byte = 10e-9;
  h.stacks = stacks;
  h.height = 8;
  h.die_capacity_B = 2e9;
  h.pin_rate_bps = 8e9;
  s.hbm = {h};
  s.supply_share = 0.1;
  s.supply_quarter = "2025Q4";
  return s;
}
}  // namespace

TEST_CASE("package: published Trainium totals come out of the derivation") {
  const hw::Chip trn2 = chip("trn2");
  REQUIRE(trn2.package);
  CHECK(trn2.package->fits);
  CHECK(trn2.flops[hw::Precision::bf16] == doctest::Approx(667e12).epsilon(1e-9));
  CHECK(trn2.hbm_capacity_B == doctest::Approx(96.0 * (1 << 30)).epsilon(1e-12));
  CHECK(trn2.package->hbm_stacks == 4);
  // 4 x 1024 pins x 5.7 Gbps / 8 = 2.918 TB/s: the published 2.9 TB/s within 1%.
  CHECK(trn2.hbm_bandwidth_Bps == doctest::Approx(2.9e12).epsilon(0.01));
  CHECK(trn2.ranks_per_chip == 4);
  CHECK(trn2.rank_die == std::vector<int>{0, 0, 1, 1});

  const hw::Chip trn3 = chip("trn3");
  REQUIRE(trn3.package);
  CHECK(trn3.package->fits);
  CHECK(trn3.flops[hw::Precision::bf16] == doctest::Approx(671e12).epsilon(1e-9));
  CHECK(trn3.flops[hw::Precision::fp8] == doctest::Approx(2517e12).epsilon(1e-9));
  CHECK(trn3.hbm_capacity_B == doctest::Approx(144.0 * (1 << 30)).epsilon(1e-12));
  // 4 x 1024 x 9.6 Gbps / 8 = 4.915 TB/s against the published 4.9 TB/s.
  CHECK(trn3.hbm_bandwidth_Bps == doctest::Approx(4.9e12).epsilon(0.01));
  CHECK(trn3.ranks_per_chip == 4);

  // The EMIB variant keeps the compute and memory totals; its die-to-die link is narrower
  // because the same 1.8 mm edge carries bumps at 45 um instead of 40 um: (40/45)^2.
  const hw::Chip emib = chip("trn3-emib");
  CHECK(emib.package->fits);
  CHECK(emib.flops[hw::Precision::bf16] == trn3.flops[hw::Precision::bf16]);
  CHECK(emib.hbm_bandwidth_Bps == trn3.hbm_bandwidth_Bps);
  CHECK(emib.package->d2d_bandwidth_Bps == doctest::Approx(trn3.package->d2d_bandwidth_Bps * std::pow(40.0 / 45.0, 2)));
  for (const char* name : {"trn4-cowos", "trn4-emib"}) {
    const hw::Chip t4 = chip(name);
    CAPTURE(name);
    CHECK(t4.package->fits);
    // AWS's relative claims: 3x Trn3 FP8, 4x its memory bandwidth (within the pin-rate rounding).
    CHECK(t4.flops[hw::Precision::fp8] == doctest::Approx(3 * 2517e12).epsilon(0.001));
    CHECK(t4.hbm_bandwidth_Bps == doctest::Approx(4 * 4.9e12).epsilon(0.01));
  }
}

TEST_CASE("package: 12 HBM stacks on CoWoS-S are refused with the reason") {
  const hw::Packaging s = packaging("cowos-s");
  CHECK(hw::derive_package(spec_on(s, 8)).fits);
  const hw::PackageSheet sheet = hw::derive_package(spec_on(s, 12));
  CHECK_FALSE(sheet.fits);
  REQUIRE(!sheet.problems.empty());
  CHECK(sheet.problems.front().key == "hbm[0].stacks");
  CHECK(sheet.problems.front().problem == "12 HBM stacks, but CoWoS-S holds at most 8 in 2025");
  // The same 12 stacks fit CoWoS-L's 2026 roadmap entry (12 sites on 5.5 reticles).
  hw::PackagedChipSpec later = spec_on(packaging("cowos-l"), 12);
  later.year = 2026;
  CHECK(hw::derive_package(later).problems.size() == 0);
  // Bump pitch below the technology's minimum, and a technology used before it exists.
  hw::PackagedChipSpec fine = spec_on(packaging("emib-t"), 4);
  fine.year = 2026;
  fine.bump_pitch_m = 36e-6;
  CHECK(hw::derive_package(fine).problems.front().problem == "36 um is below EMIB-T's minimum bump pitch in 2026");
  fine.year = 2025;
  CHECK(hw::derive_package(fine).problems.front().problem == "EMIB-T has no roadmap entry for 2025");
}

TEST_CASE("package: yield, cost and supply closed forms") {
  // Gross dies per wafer at 5.5 reticles (4,719 mm^2) on 300 mm: 70,686/4,719 - 942.5/97.1 =
  // 5.28, inside the 4-7 packages per wafer analysts quote (hardware.md 3.2).
  CHECK(hw::dies_per_wafer(4719e-6, 0.3) == doctest::Approx(5.28).epsilon(0.01));
  // Negative binomial: alpha -> infinity is Poisson exp(-A D0); alpha = 1 is Seeds 1/(1 + A D0).
  CHECK(hw::die_yield(1e-4, 0.5e4, 1e6) == doctest::Approx(std::exp(-0.5)).epsilon(1e-5));
  CHECK(hw::die_yield(1e-4, 0.5e4, 1) == doctest::Approx(1 / 1.5));

  const hw::Packaging pkg = packaging("cowos-s");
  const hw::PackagedChipSpec spec = spec_on(pkg, 4);
  const hw::PackageSheet s = hw::derive_package(spec);
  // Known-good die: $10,000 / (DPW(400 mm^2) x (1 + 4 cm^2 x 0.1 / 2)^-2).
  const double die = 10000 / (hw::dies_per_wafer(400e-6, 0.3) * std::pow(1.2, -2));
  const double hbm = 4 * 8 * 2e9 * 10e-9;  // 64 GB at $10/GB
  const double area = (400e-6 + 4 * 100e-6) * pkg.placement_overhead;
  const double interposer = area * pkg.silicon_usd_per_m2 / hw::die_yield(area, pkg.silicon_defects_per_m2, pkg.silicon_clustering);
  const double assembly_yield = std::pow(pkg.attach_yield, 5);  // 1 die + 4 stacks, no bridges
  CHECK(s.assembly_yield == doctest::Approx(assembly_yield));
  CHECK(s.unit_cost_usd == doctest::Approx((die + hbm + interposer + area * pkg.substrate_usd_per_m2 + pkg.assembly_usd) / assembly_yield));
  // HBM: 4 x 1024 x 8 Gb/s / 8 = 4.096 TB/s; power at 4 pJ/bit = 131 W over the die's 300 W.
  CHECK(s.hbm_bandwidth_Bps == doctest::Approx(4.096e12));
  CHECK(s.power_W == doctest::Approx(300 + 4.096e12 * 8 * 4e-12));
  // Supply in 2025Q4: the base band x 3 months x packages per wafer x assembly yield x share.
  CHECK(s.supply.base == doctest::Approx(70000 * 3 * std::floor(hw::dies_per_wafer(area, 0.3)) * assembly_yield * 0.1));
}

TEST_CASE("precision table: stored bytes, selectable names, die rates summed per precision") {
  // OCP MX v1.0: 32 elements share a 1-byte scale, so MXFP4 stores 0.5 + 1/32 bytes per element.
  CHECK(hw::stored_bytes(hw::Precision::bf16) == 2);
  CHECK(hw::stored_bytes(hw::Precision::mxfp8) == 1 + 1.0 / 32);
  CHECK(hw::stored_bytes(hw::Precision::mxfp4) == 0.5 + 1.0 / 32);
  CHECK(hw::selectable_precision_list() == "bf16, fp8, mxfp8, mxfp4");
  CHECK(hw::find_selectable_precision("mxfp4") == hw::Precision::mxfp4);
  CHECK_FALSE(hw::find_selectable_precision("fp32").has_value());  // a chip rate, not a training mode
  // Trn3: two dies of 335.5 / 1258.5 / 1258.5 / 1258.5 / 91.5 TFLOP/s, read in table order.
  const hw::Chip trn3 = chip("trn3");
  const double die[] = {335.5e12, 1258.5e12, 1258.5e12, 1258.5e12, 91.5e12};
  for (const hw::PrecisionInfo& p : hw::precision_table)
    CHECK(trn3.flops[p.id] == doctest::Approx(2 * die[static_cast<int>(p.id)]).epsilon(1e-12));
}
