#include <doctest/doctest.h>

#include "units/quantity.hpp"

using rackscope::units::Dimension;
using rackscope::units::parse;

TEST_CASE("units: decimal and binary prefixes are never confused") {
  CHECK(*parse("1.28 TB/s", Dimension::bandwidth) == doctest::Approx(1.28e12));
  CHECK(*parse("800 Gbps", Dimension::bandwidth) == doctest::Approx(100e9));
  CHECK(*parse("2.9 TB/s", Dimension::bandwidth) == doctest::Approx(2.9e12));
  CHECK(*parse("820 GiB/s", Dimension::bandwidth) == doctest::Approx(820.0 * 1073741824.0));
  CHECK(*parse("15 us", Dimension::time) == doctest::Approx(15e-6));
  CHECK(*parse("96 GiB", Dimension::bytes) == 96.0 * 1073741824.0);
  CHECK(*parse("96 GB", Dimension::bytes) == 96e9);
  CHECK(*parse("667 TFLOP/s", Dimension::flops_rate) == doctest::Approx(667e12));
  CHECK(*parse("1e3 W", Dimension::power) == 1000.0);
}

TEST_CASE("units: errors say why") {
  std::string why;
  CHECK_FALSE(parse("800 Gbsp", Dimension::bandwidth, &why));
  CHECK(why == "unknown unit 'Gbsp'");
  CHECK_FALSE(parse("800", Dimension::bandwidth, &why));
  CHECK(why.find("missing unit") == 0);
  CHECK_FALSE(parse("15 us", Dimension::bandwidth, &why));
  CHECK(why == "'us' is not a unit of this quantity");
  CHECK_FALSE(parse("fast", Dimension::bandwidth, &why));
}
