#pragma once
// The sweep's HDF5 files, written with parallel HDF5 (every call here is collective: all
// ranks call it in the same order). Layout in README "Sweeps and the HDF5 schema".
//  - The checkpoint (`OUT.partial`): /results rows as they are computed plus the count of
//    configurations done. Its datasets are contiguous and allocated when it is created, so a
//    checkpoint writes raw data only and a killed run leaves a file that resumes.
//  - The result file, assembled at the end under a temporary name, then renamed: /meta, /space,
//    /results (the feasible rows) and /refused (index and reason of the others), both chunked,
//    shuffled and deflated, /infeasible, /pareto.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sweep/layout.hpp"
#include "sweep/space.hpp"
#include "sweep/spec.hpp"

namespace rackscope::io {

struct SweepMeta {
  std::string tool_version, git_describe, command_line, start_time, end_time, spec_file;
  int64_t ranks = 1, resumes = 0;
  std::vector<std::pair<std::string, std::string>> inputs;  // path, verbatim text
};

using Runs = std::vector<std::pair<int64_t, int64_t>>;  // sorted, disjoint [first, last)

// True after a write or read of a sweep file failed (on any rank, agreed by all): HDF5 then holds
// files it cannot close, collectively or at exit, without hanging. The caller ends every rank
// without MPI_Finalize (which would run HDF5's teardown): cli/sweep_command.cpp.
bool sweep_files_unusable();

class SweepCheckpoint {
 public:
  // Creates `path` (replacing it) for `total` rows of `layout`; `digest` identifies the sweep
  // and its inputs, `meta` the first run (start time, command line).
  static std::unique_ptr<SweepCheckpoint> create(const std::string& path, const sweep::Layout& layout, int64_t total,
                                                 const std::string& digest, const SweepMeta& meta);
  // Opens `path` to resume, or returns nullptr when it does not exist. Throws InputError when it
  // is not a checkpoint of this sweep with these inputs.
  static std::unique_ptr<SweepCheckpoint> open(const std::string& path, const sweep::Layout& layout, int64_t total,
                                               const std::string& digest);
  ~SweepCheckpoint();

  int64_t done() const { return done_; }
  std::string start_time() const;
  int64_t resumes() const;
  // Records one more resume.
  void count_resume();
  // This rank's rows for `runs` (packed in that order), then `done` for the whole sweep, flushed.
  void write(const Runs& runs, const std::vector<uint8_t>& rows, int64_t done);
  // Rows [first, last).
  std::vector<uint8_t> read(int64_t first, int64_t last);
  // The same into `out` (resized): a buffer reused block after block is not allocated, zeroed
  // and faulted in again for every block.
  void read(int64_t first, int64_t last, std::vector<uint8_t>& out);

  struct Impl;

 private:
  explicit SweepCheckpoint(std::unique_ptr<Impl> impl, int64_t done);
  std::unique_ptr<Impl> impl_;
  int64_t done_ = 0;
};

class SweepFile {
 public:
  // Creates `path` (replacing it).
  SweepFile(const std::string& path, const sweep::Layout& layout);
  ~SweepFile();
  void write_meta(const SweepMeta& meta);
  void write_space(const sweep::Spec& spec, const sweep::Space& space);
  // /results of `rows` feasible rows (every rank passes the same count), this rank's `mine`
  // (packed rows of the layout) from row `first` on.
  void write_results(int64_t rows, int64_t first, const std::vector<uint8_t>& mine);
  // /refused of `rows` rows, this rank's `mine` (packed sweep::refused_columns() rows) from `first` on.
  void write_refused(int64_t rows, int64_t first, const std::vector<uint8_t>& mine);
  // Configurations per reason code (all ranks pass the same counts).
  void write_infeasible(const std::vector<int64_t>& counts);
  // The non-dominated rows: `rows` holds `count` rows on rank 0 (the only writer).
  void write_pareto(int64_t count, const std::vector<uint8_t>& rows, const std::vector<sweep::Objective>& objectives);
  // Attributes set last: the end time.
  void finish(const std::string& end_time);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rackscope::io
