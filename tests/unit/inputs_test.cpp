#include <doctest/doctest.h>
#include <toml++/toml.h>

#include "io/did_you_mean.hpp"
#include "io/strict_table.hpp"

using namespace rackscope;

namespace {
std::string error_of(const std::string& text, void (*read)(io::StrictTable&)) {
  auto table = toml::parse(text, std::string_view("t.toml"));
  io::StrictTable t(table, "t.toml", "");
  try {
    read(t);
    t.finish();
  } catch (const io::InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("inputs: strict tables") {
  CHECK(io::closest_match("link_bandwith", {"link_bandwidth", "link_latency"}) == "link_bandwidth");
  CHECK(error_of("source = \"x\"\nbw = \"1 TB/s\"\nbx = 3\n", [](io::StrictTable& t) { t.quantity("bw", units::Dimension::bandwidth); }) ==
        "t.toml:3: bx: unknown key; did you mean 'bw'? (valid: bw)");
  CHECK(error_of("bw = \"1 TB/s\"\n", [](io::StrictTable& t) { t.quantity("bw", units::Dimension::bandwidth); })
            .find("t.toml:1: bw: hardware number without source or assumption") == 0);
  CHECK(error_of("bw = { value = \"1 TB/s\", source = \"doc\" }\n",
                 [](io::StrictTable& t) { t.quantity("bw", units::Dimension::bandwidth); }) == "");
  CHECK(error_of("assumption = \"x\"\nbw = 12\n", [](io::StrictTable& t) { t.quantity("bw", units::Dimension::bandwidth); })
            .find("t.toml:2: bw: a bare number where a unit is needed") == 0);
  CHECK(error_of("assumption = \"x\"\nbw = \"-1 GB/s\"\n", [](io::StrictTable& t) { t.quantity("bw", units::Dimension::bandwidth); })
            .find("t.toml:2: bw: \"-1 GB/s\" must be positive") == 0);
  CHECK(error_of("x = 1\n", [](io::StrictTable& t) { t.string("name"); }) == "t.toml:1: name: missing required key");
}
