#include "econ/require.hpp"

#include <stdexcept>

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
  // The reader requires chip_power where the chip has no package sheet.
  if (!c.rack.chip.package) throw std::logic_error("econ: chip '" + c.rack.chip.name + "' has neither a package nor a stated power");
  return c.rack.chip.package->power_W;
}

}  // namespace rackscope::econ
