// libFuzzer target for the units parser: every dimension, then the formatters on what parsed.
// A rejection is a nullopt with a reason; a crash, an exception or a sanitizer report is a finding.
#include <cstdint>
#include <string>
#include <string_view>

#include "units/quantity.hpp"

using namespace rackscope;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using D = units::Dimension;
  for (D d : {D::bytes, D::bandwidth, D::time, D::flops_rate, D::power, D::energy_per_bit, D::length, D::area, D::dimensionless}) {
    std::string why;
    if (const auto v = units::parse(text, d, &why)) {
      units::format_bytes(*v);
      units::format_bandwidth(*v);
      units::format_time(*v);
    }
  }
  return 0;
}
