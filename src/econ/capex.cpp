#include <fmt/format.h>

#include <stdexcept>

#include "econ/cost.hpp"
#include "econ/parts.hpp"
#include "econ/require.hpp"
#include "io/input_error.hpp"

namespace rackscope::econ {
namespace {
BomLine line(std::string item, double count, const hw::Stated& price, std::string basis) {
  return {std::move(item), count, price.value, count * price.value, std::move(basis), price.assumed, price.provenance};
}

// Chip price: package unit cost x markup, or the stated price.
BomLine chip_line(const hw::ClusterSpec& c, const hw::RackEconomics& e) {
  if (e.chip_markup) {
    if (!c.rack.chip.package)
      throw io::InputError({e.file, 0}, "chip_markup", "chip '" + c.rack.chip.name + "' has no package sheet to take a unit cost from",
                           "chip_price_usd = { value = ..., source = \"...\" }");
    const double cost = c.rack.chip.package->unit_cost_usd;
    hw::Stated price = *e.chip_markup;
    price.value = cost * e.chip_markup->value;
    return line("chips", c.rack.chips, price,
                fmt::format("{} chips per rack; package unit cost ${:.0f} x markup {}", c.rack.chips, cost, e.chip_markup->value));
  }
  return line("chips", c.rack.chips, *e.chip_price_usd, fmt::format("{} chips per rack; stated price per chip", c.rack.chips));
}

std::vector<BomLine> rack_lines(const hw::ClusterSpec& c, const FabricParts& p) {
  const hw::RackEconomics& e = rack_economics(c);
  std::vector<BomLine> out = {chip_line(c, e),
                              line("hosts", e.hosts.value, e.host_price_usd, "host servers per rack, stated")};
  if (p.scale_up_switches_per_rack > 0) {
    if (!e.scale_up_switch_price_usd) throw std::logic_error("econ: the graph has scale-up switches the economics do not price");
    out.push_back(line("scale-up switches", p.scale_up_switches_per_rack, *e.scale_up_switch_price_usd, "switch vertices per rack in the fabric graph"));
  }
  if (p.scale_up_links_per_rack > 0)
    out.push_back(line("scale-up links", p.scale_up_links_per_rack, e.scale_up_link_price_usd, "scale-up links per rack in the fabric graph"));
  if (p.nics_per_rack > 0) out.push_back(line("NICs", p.nics_per_rack, e.nic_price_usd, "NIC vertices per rack in the fabric graph"));
  out.push_back(line("rack, power shelves, cooling", 1, e.rack_infrastructure_usd, "one per rack"));
  return out;
}

std::vector<BomLine> cluster_lines(const hw::ClusterSpec& c, const FabricParts& p) {
  const hw::ClusterEconomics& e = cluster_economics(c);
  std::vector<BomLine> out;
  const size_t levels = p.scale_out_switches.size();
  for (size_t l = 0; l < levels; ++l)
    out.push_back(line(fmt::format("scale-out {} switches", scale_out_level_name(l, levels)), p.scale_out_switches[l], e.switch_price_usd,
                       fmt::format("level-{} switches of the scale-out Clos in the fabric graph", l + 1)));
  if (p.nic_links > 0)
    out.push_back(line("NIC-leaf optics and cables", p.nic_links, e.nic_link_price_usd, "NIC-leaf links in the fabric graph"));
  for (size_t l = 0; l < p.switch_links.size(); ++l)
    out.push_back(line(fmt::format("{}-{} optics and cables", scale_out_level_name(l, levels), scale_out_level_name(l + 1, levels)), p.switch_links[l],
                       e.switch_link_price_usd, "switch-switch links in the fabric graph"));
  return out;
}
}  // namespace

Capex capex(const fabric::Fabric& f) {
  const hw::ClusterSpec& c = f.spec();
  rack_economics(c);  // both files, before any counting
  cluster_economics(c);
  const FabricParts parts = count_parts(f);
  Capex out;
  out.rack_lines = rack_lines(c, parts);
  out.cluster_lines = cluster_lines(c, parts);
  for (const auto& l : out.rack_lines) out.rack_usd += l.total_usd, out.assumed = out.assumed || l.assumed;
  out.cluster_usd = parts.racks * out.rack_usd;
  for (const auto& l : out.cluster_lines) out.cluster_usd += l.total_usd, out.assumed = out.assumed || l.assumed;
  return out;
}

}  // namespace rackscope::econ
