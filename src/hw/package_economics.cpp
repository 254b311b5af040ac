// Unit cost from known-good-die yields, HBM and packaging; supply from packaging capacity.
#include <cmath>
#include <numbers>

#include "hw/package_parts.hpp"

namespace rackscope::hw {

// Gross dies per wafer: pi d^2 / (4 A) - pi d / sqrt(2 A) (de Vries, IEEE Trans. Semicond.
// Manuf. 18(1), 2005: the classic approximation with the edge-loss term).
double dies_per_wafer(double area_m2, double diameter_m) {
  const double pi = std::numbers::pi;
  return std::max(0.0, pi * diameter_m * diameter_m / (4 * area_m2) - pi * diameter_m / std::sqrt(2 * area_m2));
}

// Negative binomial yield Y = (1 + A D0 / alpha)^-alpha (Stapper, IBM J. Res. Dev. 27(6), 1983).
double die_yield(double area_m2, double defects_per_m2, double clustering) {
  return std::pow(1 + area_m2 * defects_per_m2 / clustering, -clustering);
}

void price(const PackagedChipSpec& spec, PackageSheet& s) {
  const Packaging& pkg = spec.packaging;
  const double wafer_m = pkg.wafer_diameter_m;
  for (const DieSpec& d : spec.dies) {
    // Known-good-die cost: a wafer's price over its good dies.
    const double good = dies_per_wafer(d.area_m2, wafer_m) * die_yield(d.area_m2, d.defects_per_m2, d.clustering);
    s.dies_usd += d.count * d.wafer_usd / good;
  }
  for (const HbmStacks& h : spec.hbm) s.hbm_usd += h.stacks * h.height * h.die_capacity_B * h.generation.usd_per_byte;
  // Interposer: one piece of the package's size; bridges: small pieces, one per link or stack.
  const double piece_m2 = pkg.bridges ? pkg.bridge_area_m2 : s.package_area_m2;
  const int pieces = pkg.bridges ? s.bridges : 1;
  s.silicon_usd = pieces * piece_m2 * pkg.silicon_usd_per_m2 / die_yield(piece_m2, pkg.silicon_defects_per_m2, pkg.silicon_clustering);
  s.substrate_usd = s.package_area_m2 * pkg.substrate_usd_per_m2;
  s.assembly_usd = pkg.assembly_usd;
  // Bonding yield per placed part; a failed assembly scraps every part (Feng and Ma, "Chiplet
  // Actuary", DAC 2022).
  s.assembly_yield = std::pow(pkg.attach_yield, s.dies + s.hbm_stacks + s.bridges);
  s.unit_cost_usd = (s.dies_usd + s.hbm_usd + s.silicon_usd + s.substrate_usd + s.assembly_usd) / s.assembly_yield;

  // Supply: the capacity row of the chip's quarter (the last one at or before it), per month,
  // times 3 months, packages per wafer (wafer-level interposers), assembly yield and share.
  const SupplyBand* row = nullptr;
  for (const auto& b : pkg.supply)
    if (b.quarter <= spec.supply_quarter) row = &b;
  s.packages_per_wafer = pkg.supply_in_wafers ? std::floor(dies_per_wafer(s.package_area_m2, wafer_m)) : 1;
  s.supply.quarter = spec.supply_quarter;
  if (!row) {
    s.problems.push_back({"supply.quarter", pkg.name + " has no capacity figure at or before " + spec.supply_quarter,
                          "a quarter from " + (pkg.supply.empty() ? std::string("?") : pkg.supply.front().quarter), 0});
    s.fits = false;
    return;
  }
  const double per_band = 3 * s.packages_per_wafer * s.assembly_yield * spec.supply_share;
  s.supply.low = row->low * per_band;
  s.supply.base = row->base * per_band;
  s.supply.high = row->high * per_band;
}

}  // namespace rackscope::hw
