#include "io/packaging_reader.hpp"

#include <fmt/format.h>

#include "size/quarter.hpp"

namespace rackscope::io {
using units::Dimension;

namespace {
hw::PackageLimits read_limits(StrictTable t, int previous_year) {
  t.expect({"year", "reticles", "area", "hbm_sites", "bridges", "min_bump_pitch"});
  hw::PackageLimits l;
  l.year = static_cast<int>(t.integer("year", 2000, 2100));
  if (l.year <= previous_year) t.fail("year", fmt::format("{} does not follow {}", l.year, previous_year), "years in ascending order");
  l.reticles = t.positive_number("reticles");
  l.area_m2 = t.quantity("area", Dimension::area);
  l.hbm_sites = static_cast<int>(t.integer("hbm_sites", 0, 256));
  l.bridges = static_cast<int>(t.optional_integer("bridges", 1, 1024).value_or(0));
  l.min_bump_pitch_m = t.quantity("min_bump_pitch", Dimension::length);
  return l;
}

hw::SupplyBand read_band(StrictTable t, const std::string& previous) {
  t.expect({"quarter", "low", "base", "high"});
  hw::SupplyBand b;
  b.quarter = t.string("quarter");
  if (!is_supply_quarter(b.quarter)) t.fail("quarter", "\"" + b.quarter + "\" is not a quarter", "e.g. \"2026Q4\"");
  if (b.quarter <= previous) t.fail("quarter", b.quarter + " does not follow " + previous, "quarters in ascending order");
  b.low = t.positive_number("low");
  b.base = t.positive_number("base");
  b.high = t.positive_number("high");
  if (!(b.low <= b.base && b.base <= b.high)) t.fail("base", "the band is not ordered", "low <= base <= high");
  return b;
}
}  // namespace

bool is_supply_quarter(const std::string& quarter) { return size::valid_quarter(quarter) && quarter.starts_with("20"); }

hw::Packaging read_packaging(const InputFile& file) {
  hw::Packaging p;
  StrictTable top = open_top(file, {"links_on", "limits", "die_to_die", "yield", "cost", "supply_unit", "wafer_diameter", "supply"}, p.name);
  p.file = file.path;
  p.bridges = top.choice("links_on", {"interposer", "bridges"}) == "bridges";
  int year = 0;
  for (auto& row : top.table_array("limits")) {
    p.limits.push_back(read_limits(std::move(row), year));
    year = p.limits.back().year;
  }

  StrictTable d2d = top.table("die_to_die");
  d2d.expect({"bandwidth_per_mm", "reference_pitch", "energy", "latency", "flit"});
  p.d2d_Bps_per_m = d2d.quantity("bandwidth_per_mm", Dimension::bandwidth) * 1e3;  // per mm -> per m
  p.d2d_reference_pitch_m = d2d.quantity("reference_pitch", Dimension::length);
  p.d2d_energy_J_per_bit = d2d.quantity("energy", Dimension::energy_per_bit);
  p.d2d_latency_s = d2d.quantity("latency", Dimension::time);
  p.d2d_flit_B = d2d.quantity("flit", Dimension::bytes);

  StrictTable y = top.table("yield");
  y.expect({"attach", "silicon_defect_density_per_cm2", "silicon_clustering"});
  p.attach_yield = y.fraction("attach");
  p.silicon_defects_per_m2 = y.positive_number("silicon_defect_density_per_cm2") * 1e4;
  p.silicon_clustering = y.positive_number("silicon_clustering");

  StrictTable c = top.table("cost");
  c.expect({"placement_overhead", "silicon_usd_per_mm2", "bridge_area", "substrate_usd_per_mm2", "assembly_usd"});
  p.placement_overhead = c.positive_number("placement_overhead");
  if (p.placement_overhead < 1) c.fail("placement_overhead", fmt::format("{} is below 1", p.placement_overhead), "a factor >= 1");
  p.silicon_usd_per_m2 = c.positive_number("silicon_usd_per_mm2") * 1e6;
  if (p.bridges) p.bridge_area_m2 = c.quantity("bridge_area", Dimension::area);
  else if (c.has("bridge_area")) c.fail("bridge_area", "an interposer package has no bridges", "remove it, or links_on = \"bridges\"");
  p.substrate_usd_per_m2 = c.positive_number("substrate_usd_per_mm2") * 1e6;
  p.assembly_usd = c.positive_number("assembly_usd");

  p.supply_in_wafers = top.choice("supply_unit", {"wafers", "packages"}) == "wafers";
  if (p.supply_in_wafers) p.wafer_diameter_m = top.quantity("wafer_diameter", Dimension::length);
  std::string quarter;
  for (auto& row : top.table_array("supply")) {
    p.supply.push_back(read_band(std::move(row), quarter));
    quarter = p.supply.back().quarter;
  }
  top.finish();
  return p;
}

hw::HbmGeneration read_hbm_generation(const InputFile& file) {
  hw::HbmGeneration h;
  StrictTable top = open_top(file, {"bus_width_bits", "footprint", "energy", "usd_per_GB"}, h.name);
  h.file = file.path;
  h.bus_width_bits = static_cast<int>(top.integer("bus_width_bits", 64, 8192));
  h.footprint_m2 = top.quantity("footprint", Dimension::area);
  h.energy_J_per_bit = top.quantity("energy", Dimension::energy_per_bit);
  h.usd_per_byte = top.positive_number("usd_per_GB") / 1e9;
  top.finish();
  return h;
}

}  // namespace rackscope::io
