#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sstream>

#include "cli/commands.hpp"
#include "fabric/describe.hpp"
#include "io/output_path.hpp"
#include "units/quantity.hpp"

namespace rackscope::cli {

Runner add_topo_command(CLI::App& app) {
  struct Options {
    std::string cluster, dot;
    bool json = false, dot_given = false;
    std::vector<std::string> sets;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("topo", "describe a cluster's fabric: chips, switches, links, diameter, bisection");
  cmd->add_option("cluster", o->cluster, "cluster file (topologies/clusters/*.toml)")->required();
  cmd->add_flag("--json", o->json, "print JSON");
  cmd->add_option("--dot", o->dot, "write the fabric as Graphviz to this file")->each([o](const std::string&) { o->dot_given = true; });
  add_set_option(*cmd, o->sets);
  return [o]() {
    io::InputFiles files;
    const hw::ClusterSpec spec = load_cluster(o->cluster, o->sets, files);
    if (o->dot_given) {
      std::vector<std::string> inputs;
      for (const auto& f : files.files()) inputs.push_back(f->path);
      io::check_output("--dot", o->dot, inputs);
      io::check_output("--dot", o->dot + ".tmp", inputs);
    }
    if (refuse_unfit_package(spec)) return 3;
    const fabric::Fabric fabric(spec);
    const fabric::Description d = fabric::describe(fabric);
    if (o->dot_given) {
      std::ostringstream dot;
      fabric::write_dot(fabric, dot);
      io::write_replacing("--dot", o->dot, dot.str());
    }
    if (o->json) {
      nlohmann::json j;
      j["cluster"] = spec.name;
      j["chips"] = d.chips;
      j["ranks"] = d.chips * spec.rack.chip.ranks_per_chip;
      j["nics"] = d.nics;
      j["switches"] = d.switches;
      j["links"] = d.links;
      j["diameter_hops"] = d.diameter_hops;
      j["bisection_GBps"] = d.bisection_Bps / 1e9;
      j["tiers"] = nlohmann::json::array();
      for (const auto& t : d.tiers)
        j["tiers"].push_back({{"tier", fabric::tier_name(t.tier)},
                              {"links", t.links},
                              {"min_bandwidth_GBps", t.min_bandwidth_Bps / 1e9},
                              {"max_bandwidth_GBps", t.max_bandwidth_Bps / 1e9}});
      fmt::print("{}\n", j.dump(2));
      return 0;
    }
    fmt::print("cluster        {} ({} x rack {}, chip {})\n", spec.name, spec.racks, spec.rack.name, spec.rack.chip.name);
    fmt::print("chips          {} ({} ranks, {} per chip)\n", d.chips, d.chips * spec.rack.chip.ranks_per_chip,
               spec.rack.chip.ranks_per_chip);
    fmt::print("nics           {}\n", d.nics);
    fmt::print("switches       {}\n", d.switches);
    fmt::print("links          {} (every tier below, each both directions once)\n", d.links);
    fmt::print("diameter       {} hops (chip to chip)\n", d.diameter_hops);
    fmt::print("bisection      {} (one direction)\n", units::format_bandwidth(d.bisection_Bps));
    fmt::print("{:<12} {:>8} {:>14} {:>14}\n", "tier", "links", "min bw/dir", "max bw/dir");
    for (const auto& t : d.tiers)
      fmt::print("{:<12} {:>8} {:>14} {:>14}\n", fabric::tier_name(t.tier), t.links, units::format_bandwidth(t.min_bandwidth_Bps),
                 units::format_bandwidth(t.max_bandwidth_Bps));
    return 0;
  };
}

}  // namespace rackscope::cli
