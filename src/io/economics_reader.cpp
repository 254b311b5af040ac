#include "io/economics_reader.hpp"

#include <fmt/format.h>

namespace rackscope::io {
using units::Dimension;

namespace {
hw::Stated stated(StrictTable& t, const std::string& key, double value) {
  const Provenance p = t.provenance(key);
  return {value, p.text, p.assumed};
}
hw::Stated price(StrictTable& t, const std::string& key) { return stated(t, key, t.non_negative_number(key)); }
hw::Stated power(StrictTable& t, const std::string& key, bool allow_zero = false) {
  return stated(t, key, t.quantity(key, Dimension::power, allow_zero));
}
hw::Stated fraction(StrictTable& t, const std::string& key) { return stated(t, key, t.fraction(key)); }

bool has_scale_up_switches(const hw::RackSpec& rack) {
  if (std::holds_alternative<hw::SwitchSpec>(rack.scale_up)) return true;
  if (const auto* e = std::get_if<hw::ExplicitSpec>(&rack.scale_up)) return e->switches > 0;
  return false;
}

// Keys that only some racks need (read where needed): present where not needed is an error.
void reject_unless(StrictTable& t, const std::string& key, bool needed, const std::string& why_not) {
  if (!needed && t.has(key)) t.fail(key, why_not, "remove " + key);
}

// Chip price and power: from the package sheet (markup, power_W) or stated. Whether the chip
// has a package is checked where the price is used (econ/), not here: a sweep's `chip` axis may
// put another chip in the rack without asking for its cost.
void read_chip_terms(StrictTable& t, const hw::RackSpec& rack, hw::RackEconomics& e) {
  const bool packaged = rack.chip.package != nullptr;
  if (t.has("chip_markup") == t.has("chip_price_usd"))
    t.fail(packaged ? "chip_markup" : "chip_price_usd", "give either chip_markup or chip_price_usd",
           packaged ? "chip_markup = { value = ..., assumption = \"...\" } (price = package unit cost x markup)"
                    : "chip_price_usd = { value = ..., source = \"...\" }");
  if (t.has("chip_markup")) e.chip_markup = stated(t, "chip_markup", t.positive_number("chip_markup"));
  else e.chip_price_usd = price(t, "chip_price_usd");
  if (t.has("chip_power")) e.chip_power_W = power(t, "chip_power");
  e.idle_fraction = fraction(t, "idle_fraction");
  e.communication_fraction = fraction(t, "communication_fraction");
  e.memory_bound_fraction = fraction(t, "memory_bound_fraction");
  const std::pair<const char*, double> busy_draws[] = {{"communication_fraction", e.communication_fraction.value},
                                                      {"memory_bound_fraction", e.memory_bound_fraction.value}};
  for (const auto& [busy, v] : busy_draws) {
    if (v < e.idle_fraction.value)
      t.fail(busy, fmt::format("{} is below idle_fraction {}: a busy chip draws at least what an idle one does", v, e.idle_fraction.value),
             fmt::format("a fraction from {} to 1", e.idle_fraction.value));
  }
}
}  // namespace

hw::RackEconomics read_rack_economics(const InputFile& file, const hw::RackSpec& rack) {
  hw::RackEconomics e;
  StrictTable t = open_top(file, {"chip_markup", "chip_price_usd", "chip_power", "idle_fraction", "communication_fraction",
                                  "memory_bound_fraction", "hosts", "host_price_usd", "host_power", "scale_up_switch_price_usd",
                                  "scale_up_switch_power", "scale_up_link_price_usd", "nic_price_usd", "nic_power",
                                  "rack_infrastructure_usd", "rack_overhead_power", "rent_usd_per_hour"},
                          e.name);
  e.file = file.path;
  read_chip_terms(t, rack, e);
  e.hosts = stated(t, "hosts", static_cast<double>(t.integer("hosts", 1, rack.chips)));
  e.host_price_usd = price(t, "host_price_usd");
  e.host_power_W = power(t, "host_power");
  const bool switches = has_scale_up_switches(rack);
  for (const char* key : {"scale_up_switch_price_usd", "scale_up_switch_power"})
    reject_unless(t, key, switches, "rack '" + rack.name + "' has no scale-up switches");
  if (switches) {
    e.scale_up_switch_price_usd = price(t, "scale_up_switch_price_usd");
    e.scale_up_switch_power_W = power(t, "scale_up_switch_power");
  }
  e.scale_up_link_price_usd = price(t, "scale_up_link_price_usd");
  const bool nics = rack.nics.count > 0;
  for (const char* key : {"nic_price_usd", "nic_power"}) reject_unless(t, key, nics, "rack '" + rack.name + "' has no [nics]");
  if (nics) {
    e.nic_price_usd = price(t, "nic_price_usd");
    e.nic_power_W = power(t, "nic_power");
  }
  e.rack_infrastructure_usd = price(t, "rack_infrastructure_usd");
  e.rack_overhead_power_W = power(t, "rack_overhead_power", true);
  if (t.has("rent_usd_per_hour")) e.rent_usd_per_hour = stated(t, "rent_usd_per_hour", t.positive_number("rent_usd_per_hour"));
  t.finish();
  return e;
}

hw::ClusterEconomics read_cluster_economics(const InputFile& file) {
  hw::ClusterEconomics e;
  StrictTable t = open_top(file, {"switch_price_usd", "switch_power", "nic_link_price_usd", "nic_link_power", "switch_link_price_usd",
                                  "switch_link_power", "pue", "electricity_usd_per_kWh", "amortisation_years", "maintenance_per_year"},
                          e.name);
  e.file = file.path;
  e.switch_price_usd = price(t, "switch_price_usd");
  e.switch_power_W = power(t, "switch_power");
  e.nic_link_price_usd = price(t, "nic_link_price_usd");
  e.nic_link_power_W = power(t, "nic_link_power", true);
  e.switch_link_price_usd = price(t, "switch_link_price_usd");
  e.switch_link_power_W = power(t, "switch_link_power", true);
  e.pue = stated(t, "pue", t.positive_number("pue"));
  if (e.pue.value < 1) t.fail("pue", fmt::format("{} is below 1: a facility draws at least its IT power", e.pue.value), "a number >= 1");
  e.electricity_usd_per_kWh = price(t, "electricity_usd_per_kWh");
  e.amortisation_years = stated(t, "amortisation_years", t.positive_number("amortisation_years"));
  e.maintenance_per_year = stated(t, "maintenance_per_year", t.share("maintenance_per_year"));
  t.finish();
  return e;
}

}  // namespace rackscope::io
