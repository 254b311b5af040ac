#pragma once
// Subcommands of the rackscope CLI. Each registers its options on `app` and returns the
// function that runs it (returning the process exit code). Exit codes: 0 success, 1 internal
// error (a failed RACKSCOPE_ASSERT), 2 bad input, 3 infeasible configuration; InputError and
// InternalError are caught in main.
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "hw/cluster_spec.hpp"
#include "io/input_file.hpp"

namespace rackscope::cli {

using Runner = std::function<int()>;
Runner add_topo_command(CLI::App& app);
Runner add_collective_command(CLI::App& app);
Runner add_step_command(CLI::App& app);
Runner add_chip_command(CLI::App& app);
Runner add_sweep_command(CLI::App& app);
Runner add_cost_command(CLI::App& app);
Runner add_report_command(CLI::App& app);
Runner add_size_command(CLI::App& app);
Runner add_compare_command(CLI::App& app);

// `--set path=value`, repeatable, on every command that reads inputs.
void add_set_option(CLI::App& cmd, std::vector<std::string>& sets);
// The shipped turnkey configurations `size` and `compare` use when given none.
std::vector<std::string> default_turnkey_clusters();
hw::ClusterSpec load_cluster(const std::string& path, const std::vector<std::string>& sets, io::InputFiles& files);
// Prints `infeasible: package_unfit: ...` and returns true when the cluster's chip does not fit
// its package (the caller exits 3).
bool refuse_unfit_package(const hw::ClusterSpec& spec);

}  // namespace rackscope::cli
