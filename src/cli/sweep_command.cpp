// `rackscope sweep SPEC -o OUT.h5`: a design-space sweep over MPI ranks into one HDF5 file.
// Phases, each ending in an agreement so a failure on any rank ends every rank with its message:
//  1. rank 0 reads the spec and every input it names, and broadcasts their texts;
//  2. every rank builds its evaluator; the checkpoint file is created (or reopened: --resume);
//  3. checkpoint intervals: ranks take chunks dynamically, then write their rows collectively
//     and record progress;
//  4. the result file is assembled under a temporary name (meta, space, compressed results,
//     reason counts, Pareto rows) and renamed; the checkpoint is removed.
#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "cli/commands.hpp"
#include "dist/comm.hpp"
#include "dist/scheduler.hpp"
#include "git_describe.hpp"
#include "io/hdf5_sweep.hpp"
#include "io/input_error.hpp"
#include "io/sweep_reader.hpp"
#include "sweep/evaluator.hpp"
#include "sweep/layout.hpp"
#include "sweep/progress.hpp"
#include "sweep/reasons.hpp"
#include "sweep/report.hpp"
#include "units/check.hpp"

namespace rackscope::cli {
namespace {
using dist::Failure;

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// The command line as typed (arguments joined by spaces), from /proc.
std::string command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::replace(raw.begin(), raw.end(), '\0', ' ');
  while (!raw.empty() && raw.back() == ' ') raw.pop_back();
  return raw;
}

// Runs `f`, turning what it throws into this rank's failure.
template <class F>
std::optional<Failure> attempt(F&& f) {
  try {
    f();
  } catch (const io::InputError& e) {
    return Failure{2, e.what()};
  } catch (const InternalError& e) {
    return Failure{1, std::string("rackscope: ") + e.what()};
  } catch (const std::exception& e) {
    return Failure{1, std::string("rackscope: internal error: ") + e.what()};
  }
  return std::nullopt;
}

struct Options {
  std::string spec, out;
  bool resume = false, quiet = false;
};

int run(const Options& o) {
  dist::Session mpi;
  const bool root = mpi.rank() == 0;
  const std::string partial = o.out + ".partial", assembling = o.out + ".tmp";
  bool created_checkpoint = false;
  // Ends the run on every rank with the agreed failure: rank 0 prints it and removes what
  // this run wrote, so no file is left that looks like results (a resumed checkpoint stays:
  // it holds an earlier run's work).
  auto end_with = [&](const Failure& f) {
    if (root) {
      fmt::print(stderr, "{}\n", f.message);
      std::error_code ec;
      std::filesystem::remove(assembling, ec);
      if (created_checkpoint) std::filesystem::remove(partial, ec);
    }
    return f.code;
  };

  // 1. Rank 0 reads everything; the others get the texts.
  std::map<std::string, std::string> texts;
  auto failed = dist::agree(attempt([&] {
    if (!root) return;
    io::InputFiles files;
    const sweep::Spec spec = io::read_sweep(o.spec, files);
    texts = sweep::load_inputs(spec);
    for (const auto& f : files.files()) texts.emplace(f->path, f->text);
  }));
  if (failed) return end_with(*failed);

  // 2. Every rank: the spec from the texts, its evaluator, the checkpoint.
  sweep::Spec spec;
  std::unique_ptr<sweep::Evaluator> ev;
  std::unique_ptr<sweep::Layout> layout;
  std::unique_ptr<io::SweepCheckpoint> ck;
  io::SweepMeta meta;
  failed = dist::agree(attempt([&] {
    texts = dist::broadcast(texts);
    auto shared = std::make_shared<const sweep::Texts>(texts);
    io::InputFiles files;
    files.provide(shared);
    spec = io::read_sweep(o.spec, files);
    ev = std::make_unique<sweep::Evaluator>(spec, shared);
    layout = std::make_unique<sweep::Layout>(spec);
  }));
  if (failed) return end_with(*failed);
  const int64_t total = ev->space().total();
  meta.tool_version = "rackscope 0.1.0";
  meta.git_describe = RACKSCOPE_GIT_DESCRIBE;
  meta.command_line = dist::broadcast(command_line());
  meta.start_time = dist::broadcast(utc_now());
  meta.spec_file = spec.file;
  meta.ranks = mpi.size();
  for (const auto& [path, text] : texts) meta.inputs.emplace_back(path, text);
  failed = dist::agree(attempt([&] {
    const std::string id = sweep::digest(texts, *layout);
    if (o.resume) ck = io::SweepCheckpoint::open(partial, *layout, total, id);
    if (ck) {
      ck->count_resume();
      meta.start_time = ck->start_time();
      meta.resumes = ck->resumes();
    } else {
      if (o.resume && root && !o.quiet) fmt::print(stderr, "sweep: no checkpoint {} to resume; starting from the beginning\n", partial);
      created_checkpoint = true;  // before creating: a failed creation may leave a file
      ck = io::SweepCheckpoint::create(partial, *layout, total, id, meta);
    }
  }));
  if (failed) return end_with(*failed);

  // 3. Checkpoint intervals.
  // Fault injection for tests of the error path (README): this rank fails at its first configuration.
  std::optional<int> inject_failure;
  if (const char* r = std::getenv("RACKSCOPE_SWEEP_FAIL_ON_RANK")) inject_failure = std::atoi(r);
  // A kill at a known point for the crash-safety test (tests/mpi/kill_resume.py): every rank
  // ends itself with SIGKILL once this run has checkpointed N intervals, as a killed run would.
  int64_t kill_after_intervals = 0;
  if (const char* n = std::getenv("RACKSCOPE_SWEEP_KILL_AFTER_INTERVALS")) kill_after_intervals = std::atoll(n);
  sweep::Progress progress(total, ck->done(), root && !o.quiet);
  const size_t rs = layout->row_size();
  // Intervals end on cluster boundaries where clusters are smaller than an interval.
  const int64_t per_cluster = total / ev->space().clusters();
  const int64_t interval = per_cluster <= spec.checkpoint_every ? spec.checkpoint_every / per_cluster * per_cluster : spec.checkpoint_every;
  for (int64_t begin = ck->done(); begin < total;) {
    const int64_t end = std::min(total, (begin / interval + 1) * interval);
    struct Piece {
      int64_t first, last;
      size_t offset;
    };
    std::vector<Piece> pieces;
    std::vector<uint8_t> rows;
    std::optional<Failure> mine;
    dist::Scheduler scheduler(begin, end, spec.min_chunk, per_cluster);
    const bool fail_here = inject_failure && *inject_failure == mpi.rank();
    for (;;) {
      const auto [first, last] = scheduler.next(mine.has_value());
      if (first == last) break;
      if (mine) continue;  // draining: this rank failed
      mine = attempt([&, first = first, last = last] {
        const size_t offset = rows.size();
        rows.resize(offset + static_cast<size_t>(last - first) * rs);
        for (int64_t i = first; i < last; ++i) {
          if (fail_here)
            throw io::InputError({"RACKSCOPE_SWEEP_FAIL_ON_RANK", 0}, "", fmt::format("failure injected on rank {}", mpi.rank()));
          layout->pack(ev->evaluate(i), ev->space(), &rows[offset + static_cast<size_t>(i - first) * rs]);
          progress.update(begin + scheduler.handed_out());
        }
        pieces.push_back({first, last, offset});
      });
    }
    if (fail_here && !mine)  // no chunk came this rank's way: it fails at the interval's end
      mine = Failure{2, fmt::format("RACKSCOPE_SWEEP_FAIL_ON_RANK: failure injected on rank {}", mpi.rank())};
    failed = dist::agree(mine);
    if (failed) return end_with(*failed);
    // Rows in index order, as the file selection lists them; checked here, before the collective
    // write, because a rank failing inside a collective call would leave the others waiting.
    std::vector<uint8_t> sorted;
    io::Runs runs;
    failed = dist::agree(attempt([&] {
      std::sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) { return a.first < b.first; });
      sorted.reserve(rows.size());
      int64_t previous = begin;
      for (const auto& p : pieces) {
        if (p.first < previous || p.last > end) throw std::logic_error(fmt::format("chunk [{}, {}) overlaps another", p.first, p.last));
        previous = p.last;
        runs.emplace_back(p.first, p.last);
        sorted.insert(sorted.end(), rows.begin() + static_cast<std::ptrdiff_t>(p.offset),
                      rows.begin() + static_cast<std::ptrdiff_t>(p.offset + static_cast<size_t>(p.last - p.first) * rs));
      }
    }));
    if (failed) return end_with(*failed);
    failed = dist::agree(attempt([&] { ck->write(runs, sorted, end); }));
    if (failed) return end_with(*failed);
    if (kill_after_intervals > 0 && --kill_after_intervals == 0) std::raise(SIGKILL);  // all wrote and flushed: agree() above
    begin = end;
    progress.update(begin);
  }
  progress.finish(total);

  // 4. The result file: each rank moves a chunk-aligned slice of rows from the checkpoint.
  std::vector<uint8_t> front;
  std::vector<int64_t> counts(sweep::reason_names().size(), 0);
  failed = dist::agree(attempt([&] {
    io::SweepFile file(assembling, *layout, total);
    file.write_meta(meta);
    file.write_space(spec, ev->space());
    const int64_t chunk = file.chunk_rows(), chunks = (total + chunk - 1) / chunk;
    const int64_t first = std::min(total, chunks * mpi.rank() / mpi.size() * chunk);
    const int64_t last = std::min(total, chunks * (mpi.rank() + 1) / mpi.size() * chunk);
    const std::vector<uint8_t> rows = ck->read(first, last);
    file.write_results(first, last, rows);
    const size_t n = static_cast<size_t>(last - first);
    sweep::count_reasons(*layout, rows.data(), n, counts);
    counts = dist::sum(counts);
    // The front of the union is the front of the ranks' fronts.
    const std::vector<uint8_t> local = sweep::front_rows(*layout, spec.objectives, rows.data(), n);
    const std::string gathered = dist::gather(std::string(local.begin(), local.end()));
    if (root) front = sweep::front_rows(*layout, spec.objectives, reinterpret_cast<const uint8_t*>(gathered.data()), gathered.size() / rs);
    const int64_t front_count = dist::broadcast(static_cast<int64_t>(front.size() / rs));
    file.write_pareto(front_count, front, spec.objectives);
    file.write_infeasible(counts);
    file.finish(utc_now());
  }));
  if (failed) return end_with(*failed);
  ck.reset();
  failed = dist::agree(attempt([&] {
    if (!root) return;
    std::filesystem::rename(assembling, o.out);
    std::filesystem::remove(partial);
  }));
  if (failed) return end_with(*failed);
  if (root) fmt::print("{}", sweep::summary_table(spec, ev->space(), *layout, front, counts, 15));
  return 0;
}
}  // namespace

Runner add_sweep_command(CLI::App& app) {
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("sweep", "evaluate a design space (workloads/sweeps/*.toml) over MPI ranks into one HDF5 file");
  cmd->add_option("spec", o->spec, "sweep file (workloads/sweeps/*.toml)")->required();
  cmd->add_option("-o,--output", o->out, "results file (HDF5); written as OUT.partial while running")->required();
  cmd->add_flag("--resume", o->resume, "continue the killed run whose checkpoint is OUT.partial");
  cmd->add_flag("--quiet", o->quiet, "no progress on stderr");
  return [o]() { return run(*o); };
}

}  // namespace rackscope::cli
