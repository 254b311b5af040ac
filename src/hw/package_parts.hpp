#pragma once
// The pieces of derive_package(), one file each: fit (package_fit.cpp), economics
// (package_economics.cpp). Only src/hw/package*.cpp include this.
#include "hw/package.hpp"

namespace rackscope::hw {

// The roadmap row that applies in `year` (the last one at or before it), or nullptr.
const PackageLimits* limits_in(const Packaging& p, int year);
// Checks area, HBM sites, bridges, bump pitch, die size and die connectivity; fills
// sheet.problems and sheet.fits. Needs the areas and counts already in `sheet`.
void check_fit(const PackagedChipSpec& spec, PackageSheet& sheet);
// Gross dies of `area_m2` on a round wafer of `diameter_m`.
double dies_per_wafer(double area_m2, double diameter_m);
// Fraction of good dies of `area_m2` (negative binomial, clustering alpha).
double die_yield(double area_m2, double defects_per_m2, double clustering);
// Fills the cost and supply fields of `sheet`.
void price(const PackagedChipSpec& spec, PackageSheet& sheet);

}  // namespace rackscope::hw
