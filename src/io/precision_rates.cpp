#include "io/precision_rates.hpp"

namespace rackscope::io {

std::vector<std::string> precision_keys() {
  std::vector<std::string> keys;
  for (const hw::PrecisionInfo& p : hw::precision_table) keys.push_back(p.name);
  return keys;
}

hw::PrecisionRates read_precision_rates(StrictTable& t) {
  using units::Dimension;
  hw::PrecisionRates r;
  for (const hw::PrecisionInfo& p : hw::precision_table)
    r[p.id] = p.rate_required ? t.quantity(p.name, Dimension::flops_rate) : t.optional_quantity(p.name, Dimension::flops_rate).value_or(0.0);
  return r;
}

}  // namespace rackscope::io
