// `rackscope sweep` in a build without MPI and parallel HDF5 (meson -Dparallel=disabled, or auto
// when they are not installed): a serial stand-in chosen by the build instead of #ifdefs in the
// real command, as LLNL Caliper's machine_serial.cpp stands in for its MPI machine queries. It
// accepts the real command's arguments and answers with one line on how to get the sweep.
#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.hpp"

namespace rackscope::cli {

Runner add_sweep_command(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand("sweep", "evaluate a design space over MPI ranks (not in this build: needs MPI and parallel HDF5)");
  cmd->allow_extras();
  return [] {
    fmt::print(stderr,
               "rackscope sweep: this build has no MPI and parallel HDF5; install them (scripts/setup) and rebuild "
               "(meson setup --reconfigure build -Dparallel=enabled && ninja -C build)\n");
    return 2;
  };
}

}  // namespace rackscope::cli
