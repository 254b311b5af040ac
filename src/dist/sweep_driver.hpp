#pragma once
// The MPI sweep driver: a design space evaluated over every rank into one HDF5 file. Phases,
// each ending in an agreement so a failure on any rank ends every rank with its message:
//  1. (load_sweep_job) rank 0 reads the spec and every input it names, and broadcasts their
//     texts; every rank builds the spec and the evaluator's inputs from them;
//  2. every rank builds its evaluator; the checkpoint file is created (or reopened: resume);
//  3. checkpoint intervals: ranks take chunks dynamically, then write their rows collectively
//     and record progress;
//  4. the result file is assembled under a temporary name (meta, space, compressed results,
//     reason counts, Pareto rows) and renamed; the checkpoint is removed.
// A caller that builds its spec in memory (a sizing search) skips phase 1 and calls run_sweep.
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "dist/comm.hpp"
#include "sweep/evaluator.hpp"
#include "sweep/spec.hpp"

namespace rackscope::dist {

// A sweep ready to run, the same on every rank.
struct SweepJob {
  sweep::Spec spec;
  sweep::Inputs inputs;
  // Every input by path and text: the run's identity (a resume must match it) and /meta/inputs.
  std::map<std::string, std::string> texts;
};

// Where a sweep writes: `path` is the result file; `path`.partial holds the checkpoint while
// running and `path`.tmp the result file while it is assembled.
struct SweepOutput {
  std::string path;
  bool resume = false;  // continue the killed run whose checkpoint is `path`.partial
  bool quiet = false;   // no progress on stderr
};

// What a finished sweep found, for the summary.
struct SweepOutcome {
  std::vector<uint8_t> front;   // the non-dominated rows (packed /results rows), on rank 0
  std::vector<int64_t> counts;  // configurations per reason code, on every rank
  std::string summary;          // the best rows and the reason counts as a table, on rank 0
};

// Either the value or the failure every rank agreed on (rank 0 prints nothing: the caller does).
template <class T>
using OrFailure = std::variant<T, Failure>;

// Collective, phase 1: the sweep file `spec_path` and every input it names, read by rank 0.
OrFailure<SweepJob> load_sweep_job(const Session& mpi, const std::string& spec_path);

// Collective, phases 2-4. On failure rank 0 has removed what this run wrote (a resumed
// checkpoint stays: it holds an earlier run's work).
OrFailure<SweepOutcome> run_sweep(const Session& mpi, const SweepJob& job, const SweepOutput& out);

// Collective, phases 1-4: `rackscope sweep SPEC -o OUT`.
OrFailure<SweepOutcome> run_sweep_file(const Session& mpi, const std::string& spec_path, const SweepOutput& out);

}  // namespace rackscope::dist
