#pragma once
// A chip built from parts: compute dies and HBM stacks on one packaging technology (CoWoS-S/R/L,
// EMIB, EMIB-T). The inputs are plain structs read from topologies/packaging/ and
// topologies/chips/; derive_package() turns them into the chip's sheet: whether it fits and why
// not, FLOP/s, HBM, die-to-die links, power, unit cost and supply. All values are SI (m, m^2,
// J/bit, B/s, W) except money (USD) and counts.
#include <string>
#include <vector>

#include "hw/precision.hpp"

namespace rackscope::hw {

// One row of a technology's roadmap: what a package may hold from `year` on.
struct PackageLimits {
  int year = 0;
  double reticles = 0;      // maximum interposer (or package) area in reticle multiples
  double area_m2 = 0;       // the same limit in m^2 as the source states it
  int hbm_sites = 0;
  int bridges = 0;          // 0: no stated limit
  double min_bump_pitch_m = 0;
};

// Packaging capacity in one quarter, per month, in the sheet's unit (wafers or packages).
struct SupplyBand {
  std::string quarter;  // "2026Q4"
  double low = 0, base = 0, high = 0;
};

struct Packaging {
  std::string name, file;
  bool bridges = false;         // links run on bridges (EMIB, CoWoS-L LSI), else one interposer
  std::vector<PackageLimits> limits;  // by year, ascending
  // Die-to-die: bandwidth per direction per metre of die edge at the reference bump pitch.
  double d2d_Bps_per_m = 0, d2d_reference_pitch_m = 0;
  double d2d_energy_J_per_bit = 0, d2d_latency_s = 0;
  double d2d_flit_B = 0;        // unit a link serialises before the far die can use it
  double attach_yield = 1;      // per die, HBM stack or bridge placed
  double silicon_defects_per_m2 = 0, silicon_clustering = 1;  // interposer or bridge silicon
  double placement_overhead = 1;  // interposer area / summed die and stack footprint
  double silicon_usd_per_m2 = 0;  // interposer or bridge silicon, before its yield
  double bridge_area_m2 = 0;      // per bridge
  double substrate_usd_per_m2 = 0, assembly_usd = 0;
  bool supply_in_wafers = true;   // else packages
  double wafer_diameter_m = 0.3;
  std::vector<SupplyBand> supply;
};

struct HbmGeneration {
  std::string name, file;
  int bus_width_bits = 1024;
  double footprint_m2 = 0;
  double energy_J_per_bit = 0;
  double usd_per_byte = 0;
};

struct DieSpec {
  std::string name;
  int count = 1;
  double area_m2 = 0;
  int cores = 0;  // NeuronCores (or SMs) on one die
  PrecisionRates flops;  // dense peak by precision, 0: no such path
  double sram_B = 0;
  double power_W = 0;  // at peak compute
  double wafer_usd = 0, defects_per_m2 = 0, clustering = 1;
  long line = 0;
};

struct HbmStacks {
  HbmGeneration generation;
  int stacks = 0, height = 0;
  double die_capacity_B = 0, pin_rate_bps = 0;
  long line = 0;
};

struct DieLinkSpec {
  int a = 0, b = 0;    // die instances, numbered over [[dies]] in order
  double edge_m = 0;   // die edge given to this link's PHY
  long line = 0;
};

struct PackagedChipSpec {
  int year = 0;
  Packaging packaging;
  std::vector<DieSpec> dies;
  std::vector<HbmStacks> hbm;
  std::vector<DieLinkSpec> links;
  double bump_pitch_m = 0;
  int cores_per_rank = 1;       // logical core size (LNC): cores that run one rank
  double d2d_traffic_Bps = 0;   // die-to-die traffic at which power is stated
  double supply_share = 0;      // of the packaging capacity allocated to this chip
  std::string supply_quarter;
};

// A plausibility problem with the input key it concerns (e.g. "hbm[0].stacks").
struct PackageProblem {
  std::string key, problem, valid;
  long line = 0;
};

struct PackageSheet {
  std::string packaging;
  bool fits = true;
  std::vector<PackageProblem> problems;
  int dies = 0, cores = 0, hbm_stacks = 0, bridges = 0;
  double silicon_area_m2 = 0, package_area_m2 = 0, max_area_m2 = 0;
  PrecisionRates flops;  // dense peak by precision, 0: no such path
  double sram_B = 0;
  double hbm_capacity_B = 0, hbm_bandwidth_Bps = 0;
  std::vector<double> link_bandwidth_Bps, link_latency_s;  // per die link, per direction
  double d2d_bandwidth_Bps = 0;  // narrowest die-to-die link, per direction (0: one die)
  double d2d_latency_s = 0;      // slowest die-to-die link
  double compute_W = 0, hbm_W = 0, d2d_W = 0, power_W = 0;
  double dies_usd = 0, hbm_usd = 0, silicon_usd = 0, substrate_usd = 0, assembly_usd = 0;
  double assembly_yield = 1, unit_cost_usd = 0;
  double packages_per_wafer = 0;
  SupplyBand supply;  // chips per quarter for this chip's share
};

PackageSheet derive_package(const PackagedChipSpec& spec);
// A problem as one line, `chip_file:line: key: problem (valid: ...)` (the input-error layout).
std::string problem_line(const std::string& chip_file, const PackageProblem& p);

}  // namespace rackscope::hw
