// rackscope: performance model of rack-scale AI training clusters.
#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "cli/parse_errors.hpp"
#include "eval/evaluate.hpp"
#include "io/cluster_reader.hpp"
#include "io/input_error.hpp"
#include "units/check.hpp"

namespace rackscope::cli {

void add_set_option(CLI::App& cmd, std::vector<std::string>& sets) {
  cmd.add_option("--set", sets, "override an input key: path.to.key=value (repeatable; rack.chips=32 reaches the rack file)");
}

hw::ClusterSpec load_cluster(const std::string& path, const std::vector<std::string>& sets, io::InputFiles& files) {
  io::Overrides overrides;
  for (const auto& s : sets) overrides.add(s);
  return io::read_cluster(path, overrides, files);
}

bool refuse_unfit_package(const hw::ClusterSpec& spec) {
  const eval::Report r = eval::check_package(spec.rack.chip);
  if (r.feasible()) return false;
  fmt::print("infeasible: {}: {}\n", workload::infeasibility_name(r.reason), r.detail);
  return true;
}

std::vector<std::string> default_turnkey_clusters() {
  const std::string dir = RACKSCOPE_TOPOLOGIES "/clusters/";
  return {dir + "trn2-ultraserver-x64.toml", dir + "trn3-ultraserver-gen2.toml", dir + "trn3-ultraserver-gen2-emib.toml"};
}

}  // namespace rackscope::cli

int main(int argc, char** argv) {
  using namespace rackscope;
  CLI::App app{"rackscope: performance model of rack-scale AI training clusters"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rackscope 0.1.0");
  // One line per subcommand.
  const std::vector<std::pair<std::string, cli::Runner>> commands = {
      {"topo", cli::add_topo_command(app)},
      {"collective", cli::add_collective_command(app)},
      {"step", cli::add_step_command(app)},
      {"chip", cli::add_chip_command(app)},
      {"sweep", cli::add_sweep_command(app)},
      {"cost", cli::add_cost_command(app)},
      {"report", cli::add_report_command(app)},
      {"size", cli::add_size_command(app)},
      {"compare", cli::add_compare_command(app)},
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "{}\n", cli::parse_error_line(app, e, argc, argv));
    return 2;
  }
  try {
    const std::string chosen = app.get_subcommands().front()->get_name();
    for (const auto& [name, run] : commands)
      if (name == chosen) return run();
  } catch (const io::InputError& e) {
    fmt::print(stderr, "{}\n", e.what());
    return 2;
  } catch (const InternalError& e) {
    fmt::print(stderr, "rackscope: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "rackscope: internal error: {}\n", e.what());
    return 1;
  }
  return 1;
}
