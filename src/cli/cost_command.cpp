#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "econ/cost.hpp"

namespace rackscope::cli {
namespace {
nlohmann::json lines_json(const std::vector<econ::BomLine>& lines) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& l : lines)
    out.push_back({{"item", l.item}, {"count", l.count}, {"unit_usd", l.unit_usd}, {"total_usd", l.total_usd}, {"basis", l.basis},
                   {"assumed", l.assumed}, {"provenance", l.provenance}});
  return out;
}

nlohmann::json power_json(const econ::PowerDraw& p) {
  return {{"chips_W", p.chips_W}, {"hosts_W", p.hosts_W}, {"switches_W", p.switches_W}, {"nics_W", p.nics_W},
          {"optics_W", p.optics_W}, {"other_W", p.other_W}, {"it_W", p.it_W}, {"facility_W", p.facility_W}};
}

void print_lines(const std::string& title, const std::vector<econ::BomLine>& lines) {
  fmt::print("{}\n{:<34} {:>8} {:>12} {:>14}\n", title, "item", "count", "unit $", "total $");
  for (const auto& l : lines)
    fmt::print("{:<34} {:>8} {:>12.0f} {:>14.0f}{}\n", l.item, l.count, l.unit_usd, l.total_usd, l.assumed ? "  (assumed)" : "");
}
}  // namespace

Runner add_cost_command(CLI::App& app) {
  struct Options {
    std::string cluster;
    bool json = false;
    std::vector<std::string> sets;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("cost", "a cluster's bill of materials and peak power (from its economics files)");
  cmd->add_option("cluster", o->cluster, "cluster file (topologies/clusters/*.toml)")->required();
  cmd->add_flag("--json", o->json, "print JSON");
  add_set_option(*cmd, o->sets);
  return [o]() {
    io::InputFiles files;
    const hw::ClusterSpec spec = load_cluster(o->cluster, o->sets, files);
    if (refuse_unfit_package(spec)) return 3;
    const fabric::Fabric fabric(spec);
    const econ::Capex c = econ::capex(fabric);
    const econ::PowerDraw p = econ::peak_power(fabric);
    if (o->json) {
      nlohmann::json j = {{"cluster", spec.name}, {"rack", spec.rack.name}, {"racks", spec.racks}, {"chips", fabric.chips()},
                          {"rack_lines", lines_json(c.rack_lines)}, {"cluster_lines", lines_json(c.cluster_lines)},
                          {"rack_usd", c.rack_usd}, {"cluster_usd", c.cluster_usd}, {"assumed", c.assumed},
                          {"peak_power", power_json(p)}};
      fmt::print("{}\n", j.dump(2));
      return 0;
    }
    fmt::print("cluster {} ({} x rack {}, {} chips)\n\n", spec.name, spec.racks, spec.rack.name, fabric.chips());
    print_lines("one rack", c.rack_lines);
    fmt::print("{:<34} {:>8} {:>12} {:>14.0f}\n\n", "rack total", "", "", c.rack_usd);
    print_lines("cluster level (scale-out, counted from the fabric graph)", c.cluster_lines);
    fmt::print("{:<34} {:>8} {:>12} {:>14.0f}{}\n\n", "cluster total", spec.racks, "racks", c.cluster_usd,
               c.assumed ? "  (rests on assumptions)" : "");
    fmt::print("peak power       chips {:.1f} kW, hosts {:.1f} kW, switches {:.1f} kW, NICs {:.1f} kW, optics {:.1f} kW, other {:.1f} kW\n",
               p.chips_W / 1e3, p.hosts_W / 1e3, p.switches_W / 1e3, p.nics_W / 1e3, p.optics_W / 1e3, p.other_W / 1e3);
    fmt::print("                 IT {:.1f} kW, facility {:.1f} kW (PUE {})\n", p.it_W / 1e3, p.facility_W / 1e3, spec.economics->pue.value);
    return 0;
  };
}

}  // namespace rackscope::cli
