#include "econ/require.hpp"

#include "econ/cost.hpp"
#include "io/input_error.hpp"

namespace rackscope::econ {

bool has_economics(const hw::ClusterSpec& c) { return c.rack.economics.has_value() && c.economics.has_value(); }

const hw::RackEconomics& rack_economics(const hw::ClusterSpec& c) {
  if (!c.rack.economics)
    throw io::InputError({c.rack.file, 0}, "economics", "rack '" + c.rack.name + "' names no economics file, needed for cost and power",
                         "economics = \"../economics/racks/<rack>.toml\" (kind rack_economics)");
  return *c.rack.economics;
}

const hw::ClusterEconomics& cluster_economics(const hw::ClusterSpec& c) {
  if (!c.economics)
    throw io::InputError({c.file, 0}, "economics", "cluster '" + c.name + "' names no economics file, needed for cost and power",
                         "economics = \"../economics/clusters/<facility>.toml\" (kind cluster_economics)");
  return *c.economics;
}

double chip_peak_W(const hw::ClusterSpec& c) {
  const hw::RackEconomics& e = rack_economics(c);
  if (e.chip_power_W) return e.chip_power_W->value;
  if (!c.rack.chip.package)
    throw io::InputError({e.file, 0}, "chip_power", "chip '" + c.rack.chip.name + "' has no package sheet to take its power from",
                         "chip_power = \"... W\" with a source or assumption");
  return c.rack.chip.package->power_W;
}

}  // namespace rackscope::econ
