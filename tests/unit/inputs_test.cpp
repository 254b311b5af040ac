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

TEST_CASE("inputs: a --set value is its own provenance") {
  // An inline `{ value, source }` replaced by `--set` loses its source; the command line is one.
  auto table = toml::parse("bw = { value = \"1 TB/s\", source = \"doc\" }\n", std::string_view("t.toml"));
  io::Overrides o;
  o.add("bw=2 TB/s");
  io::OverrideOrigins origins;
  o.apply(table, origins);
  io::StrictTable t(table, "t.toml", "", &origins);
  CHECK(t.quantity("bw", units::Dimension::bandwidth) == 2e12);
  // Without the override the same bare value would be refused.
  CHECK(error_of("bw = \"2 TB/s\"\n", [](io::StrictTable& s) { s.quantity("bw", units::Dimension::bandwidth); })
            .find("hardware number without source or assumption") != std::string::npos);
}
