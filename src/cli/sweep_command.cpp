// `rackscope sweep SPEC -o OUT.h5`: a design-space sweep over MPI ranks into one HDF5 file. The
// driver (phases, checkpoints, assembly) is dist::run_sweep_file; this file parses the command
// line and reports the agreed failure once, from rank 0, as the exit code it carries.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <variant>

#include "cli/commands.hpp"
#include "dist/comm.hpp"
#include "dist/sweep_driver.hpp"
#include "io/hdf5_sweep.hpp"

namespace rackscope::cli {
namespace {

struct Options {
  std::string spec;
  dist::SweepOutput out;
};

int run(const Options& o) {
  dist::Session mpi;
  const auto outcome = dist::run_sweep_file(mpi, o.spec, o.out);
  if (const auto* f = std::get_if<dist::Failure>(&outcome)) {
    if (mpi.rank() == 0) fmt::print(stderr, "{}\n", f->message);
    if (io::sweep_files_unusable()) {
      // HDF5 holds a file that no longer closes cleanly (a write failed): every rank ends here,
      // after rank 0's line is out, without MPI_Finalize and the HDF5 teardown it would run.
      std::fflush(nullptr);
      dist::barrier();
      std::_Exit(f->code);
    }
    return f->code;
  }
  if (mpi.rank() == 0) fmt::print("{}", std::get<dist::SweepOutcome>(outcome).summary);
  return 0;
}
}  // namespace

Runner add_sweep_command(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("sweep", "evaluate a design space (workloads/sweeps/*.toml) over MPI ranks into one HDF5 file");
  cmd->add_option("spec", o->spec, "sweep file (workloads/sweeps/*.toml)")->required();
  cmd->add_option("-o,--output", o->out.path, "results file (HDF5); written as OUT.partial while running")->required();
  cmd->add_flag("--resume", o->out.resume, "continue the killed run whose checkpoint is OUT.partial");
  cmd->add_flag("--quiet", o->out.quiet, "no progress on stderr");
  return [o]() { return run(*o); };
}

}  // namespace rackscope::cli
