// `rackscope report INPUT... -o DIR`: plots and an HTML report, drawn by the Python program in
// report/ (matplotlib, h5py, Graphviz). This file only hands the arguments over, so the report
// has one obvious command; everything it does is in report/rackscope_report/.
#include <fmt/format.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <unistd.h>

#include "cli/commands.hpp"

#ifndef RACKSCOPE_REPORT_SCRIPT
#error "RACKSCOPE_REPORT_SCRIPT (path of report/rackscope-report) must be defined by the build"
#endif

namespace rackscope::cli {

Runner add_report_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("report",
                                     "plots (PNG, SVG) and one self-contained index.html from sweep HDF5 files and the "
                                     "--json of step, collective, size, compare: rackscope report INPUT... -o DIR");
  // Every argument, --help included, goes to the report program unparsed.
  cmd->set_help_flag();
  cmd->allow_extras();
  cmd->prefix_command();
  return [cmd]() -> int {
    std::vector<std::string> args = cmd->remaining();
    // The report calls `rackscope chip` for HBM capacities: the same binary as this one.
    char self[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n > 0) {
      self[n] = '\0';
      setenv("RACKSCOPE_BINARY", self, 1);
    }
    const std::string python = "/usr/bin/python3";
    std::vector<std::string> argv_s = {python, RACKSCOPE_REPORT_SCRIPT};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(python.c_str(), argv.data());
    fmt::print(stderr, "rackscope report: cannot run {} {} ({}): run scripts/setup\n", python, RACKSCOPE_REPORT_SCRIPT,
               std::strerror(errno));
    return 2;
  };
}

}  // namespace rackscope::cli
