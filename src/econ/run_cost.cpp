#include <cmath>
#include <stdexcept>

#include "econ/cost.hpp"
#include "econ/require.hpp"

namespace rackscope::econ {
namespace {
constexpr double kJoulesPerKWh = 3.6e6;
constexpr double kSecondsPerYear = 365.25 * 86400;  // Julian year: amortisation and maintenance periods
constexpr double kSecondsPerHour = 3600;
}  // namespace

RunCost run_cost(const fabric::Fabric& f, const Capex& c, const PowerDraw& at_load, double wall_time_s) {
  if (!(wall_time_s >= 0) || !std::isfinite(wall_time_s)) throw std::logic_error("econ: run cost of a negative or infinite wall time");
  const hw::RackEconomics& r = rack_economics(f.spec());
  const hw::ClusterEconomics& e = cluster_economics(f.spec());
  RunCost out;
  out.wall_time_s = wall_time_s;
  out.energy_J = at_load.facility_W * wall_time_s;
  out.electricity_usd = out.energy_J / kJoulesPerKWh * e.electricity_usd_per_kWh.value;
  out.amortised_capex_usd = c.cluster_usd * wall_time_s / (e.amortisation_years.value * kSecondsPerYear);
  out.maintenance_usd = c.cluster_usd * e.maintenance_per_year.value * wall_time_s / kSecondsPerYear;
  out.tco_usd = out.electricity_usd + out.amortised_capex_usd + out.maintenance_usd;
  if (r.rent_usd_per_hour) {
    out.has_rent = true;
    out.rent_usd = f.racks() * r.rent_usd_per_hour->value * wall_time_s / kSecondsPerHour;
  }
  return out;
}

}  // namespace rackscope::econ
