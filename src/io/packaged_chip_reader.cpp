#include "io/packaged_chip_reader.hpp"

#include <fmt/format.h>


#include "io/packaging_reader.hpp"
#include "io/precision_rates.hpp"

namespace rackscope::io {
using units::Dimension;

namespace {
hw::DieSpec read_die(StrictTable t) {
  std::vector<std::string> keys = {"name", "count", "area", "cores"};
  for (const std::string& k : precision_keys()) keys.push_back(k);
  for (const char* k : {"sram", "power", "wafer_cost_usd", "defect_density_per_cm2", "clustering"}) keys.push_back(k);
  t.expect(keys);
  hw::DieSpec d;
  d.name = t.string("name");
  d.count = static_cast<int>(t.integer("count", 1, 64));
  d.area_m2 = t.quantity("area", Dimension::area);
  d.line = t.location("area").line;
  d.cores = static_cast<int>(t.integer("cores", 1, 4096));
  d.flops = read_precision_rates(t);
  d.sram_B = t.quantity("sram", Dimension::bytes);
  d.power_W = t.quantity("power", Dimension::power);
  d.wafer_usd = t.positive_number("wafer_cost_usd");
  d.defects_per_m2 = t.positive_number("defect_density_per_cm2") * 1e4;
  d.clustering = t.positive_number("clustering");
  return d;
}

hw::HbmStacks read_hbm(StrictTable t, const Overrides& overrides, InputFiles& files) {
  t.expect({"generation", "stacks", "height", "die_capacity", "pin_rate"});
  hw::HbmStacks h;
  h.stacks = static_cast<int>(t.integer("stacks", 1, 256));
  h.line = t.location("stacks").line;
  h.height = static_cast<int>(t.integer("height", 1, 32));
  h.die_capacity_B = t.quantity("die_capacity", Dimension::bytes);
  h.pin_rate_bps = t.quantity("pin_rate", Dimension::bandwidth) * 8;  // B/s per pin -> bit/s
  h.generation = read_hbm_generation(files.load_reference(t, "generation", "hbm", overrides));
  return h;
}

hw::DieLinkSpec read_link(StrictTable t, int dies) {
  t.expect({"a", "b", "edge"});
  hw::DieLinkSpec l;
  l.a = static_cast<int>(t.integer("a", 0, dies - 1));
  l.b = static_cast<int>(t.integer("b", 0, dies - 1));
  l.line = t.location("a").line;
  if (l.a == l.b) t.fail("b", "a link from a die to itself", "another die");
  l.edge_m = t.quantity("edge", Dimension::length);
  return l;
}
}  // namespace

void read_packaged_chip(StrictTable& top, const Overrides& overrides, InputFiles& files, hw::Chip& chip) {
  hw::PackagedChipSpec spec;
  spec.packaging = read_packaging(files.load_reference(top, "packaging", "packaging", overrides));
  spec.year = static_cast<int>(top.integer("year", 2000, 2100));
  spec.bump_pitch_m = top.quantity("bump_pitch", Dimension::length);
  for (auto& t : top.table_array("dies")) spec.dies.push_back(read_die(std::move(t)));
  int dies = 0;
  for (const auto& d : spec.dies) dies += d.count;
  for (auto& t : top.table_array("hbm")) spec.hbm.push_back(read_hbm(std::move(t), overrides, files));
  if (dies > 1)
    for (auto& t : top.table_array("die_links")) spec.links.push_back(read_link(std::move(t), dies));
  else if (top.has("die_links")) top.fail("die_links", "a chip of one die has no die-to-die links", "remove [[die_links]]");

  StrictTable cores = top.table("cores");
  cores.expect({"cores_per_rank", "link_bandwidth", "link_latency"});
  spec.cores_per_rank = static_cast<int>(cores.integer("cores_per_rank", 1, 64));
  chip.core_bandwidth_Bps = cores.quantity("link_bandwidth", Dimension::bandwidth);
  chip.core_latency_s = cores.quantity("link_latency", Dimension::time, true);
  // Ranks sit on dies in order: rank r runs on the die holding its cores.
  int die = 0;
  for (const auto& d : spec.dies) {
    if (d.cores % spec.cores_per_rank != 0)
      cores.fail("cores_per_rank", fmt::format("{} does not divide the {} cores of a {} die", spec.cores_per_rank, d.cores, d.name),
                 "a divisor of every die's cores");
    for (int k = 0; k < d.count; ++k, ++die)
      for (int r = 0; r < d.cores / spec.cores_per_rank; ++r) chip.rank_die.push_back(die);
  }
  cores.finish();

  StrictTable power = top.table("power");
  power.expect({"d2d_traffic"});
  spec.d2d_traffic_Bps = power.quantity("d2d_traffic", Dimension::bandwidth, true);
  power.finish();

  StrictTable supply = top.table("supply");
  supply.expect({"share", "quarter"});
  spec.supply_share = supply.fraction("share");
  spec.supply_quarter = supply.string("quarter");
  if (!is_supply_quarter(spec.supply_quarter))
    supply.fail("quarter", "\"" + spec.supply_quarter + "\" is not a quarter", "e.g. \"2026Q4\"");
  supply.finish();

  auto sheet = std::make_shared<hw::PackageSheet>(hw::derive_package(spec));
  // Problems about top-level keys get their line here; the others carry it from their table.
  for (auto& p : sheet->problems) {
    if (p.line != 0) continue;
    if (p.key == "supply.quarter") p.line = supply.location("quarter").line;
    else if (top.has(p.key)) p.line = top.location(p.key).line;
  }
  chip.ranks_per_chip = static_cast<int>(chip.rank_die.size());
  chip.dies = sheet->dies;
  if (chip.dies == 1) chip.rank_die.clear();
  for (size_t i = 0; i < spec.links.size(); ++i)
    chip.die_links.push_back({spec.links[i].a, spec.links[i].b, sheet->link_bandwidth_Bps[i], sheet->link_latency_s[i]});
  chip.flops = sheet->flops;
  chip.hbm_capacity_B = sheet->hbm_capacity_B;
  chip.hbm_bandwidth_Bps = sheet->hbm_bandwidth_Bps;
  chip.package = std::move(sheet);
}

}  // namespace rackscope::io
