#include "dist/sweep_driver.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include "dist/scheduler.hpp"
#include "dist/stop_report.hpp"
#include "git_describe.hpp"
#include "io/hdf5_sweep.hpp"
#include "io/input_error.hpp"
#include "io/output_path.hpp"
#include "units/check.hpp"
#include "io/sweep_inputs.hpp"
#include "io/sweep_reader.hpp"
#include "sweep/layout.hpp"
#include "sweep/limits.hpp"
#include "sweep/progress.hpp"
#include "sweep/reasons.hpp"
#include "sweep/refused.hpp"
#include "sweep/report.hpp"

namespace rackscope::dist {
namespace {

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

// A chunk of configurations [first, last) this rank evaluated, at `offset` in its rows.
struct Piece {
  int64_t first, last;
  size_t offset;
};

// Rows in index order, as the file selection lists them (rows of `row_size` bytes); checks
// that the pieces lie in [begin, end) without overlap.
void sort_rows(std::vector<Piece>& pieces, const std::vector<uint8_t>& rows, size_t row_size, int64_t begin, int64_t end,
               std::vector<uint8_t>& sorted, io::Runs& runs) {
  std::sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) { return a.first < b.first; });
  sorted.reserve(rows.size());
  int64_t previous = begin;
  for (const auto& p : pieces) {
    if (p.first < previous || p.last > end) throw std::logic_error(fmt::format("chunk [{}, {}) overlaps another", p.first, p.last));
    previous = p.last;
    runs.emplace_back(p.first, p.last);
    sorted.insert(sorted.end(), rows.begin() + static_cast<std::ptrdiff_t>(p.offset),
                  rows.begin() + static_cast<std::ptrdiff_t>(p.offset + static_cast<size_t>(p.last - p.first) * row_size));
  }
}

// Phases 2-4 of one run on this rank (see sweep_driver.hpp); each step returns the agreed failure.
class SweepRun {
 public:
  SweepRun(const Session& mpi, const SweepJob& job, const SweepOutput& out)
      : mpi_(mpi), job_(job), out_(out), root_(mpi.rank() == 0), partial_(out.path + ".partial"), assembling_(out.path + ".tmp") {}

  OrFailure<SweepOutcome> run() {
    SweepOutcome outcome;
    std::optional<Failure> failed = check_outputs();
    if (failed) return *failed;  // nothing of this run's to remove: an existing .partial or .tmp may be an input
    failed = build();
    if (!failed) failed = open_checkpoint();
    if (!failed) failed = run_intervals();
    if (!failed) failed = assemble(outcome);
    if (!failed) failed = publish();
    if (failed) return end_with(*failed);
    if (root_) outcome.summary = sweep::summary_table(job_.spec, ev_->space(), *layout_, outcome.front, outcome.counts, 15);
    return outcome;
  }

 private:
  // Before any work: -o and the files written beside it (checkpoint, temporary) are none of the
  // inputs, and can be written. Rank 0 checks; every rank agrees.
  std::optional<Failure> check_outputs() const {
    return agree(attempt([&] {
      if (!root_) return;
      std::vector<std::string> inputs = {job_.spec.file};
      for (const auto& [path, text] : job_.texts) inputs.push_back(path);
      io::check_output("-o", out_.path, inputs);
      io::check_output("-o", partial_, inputs);
      io::check_output("-o", assembling_, inputs);
    }));
  }

  // Every rank: the evaluator and row layout, and the /meta of the result file.
  std::optional<Failure> build() {
    if (auto failed = agree(attempt([&] {
          ev_ = std::make_unique<sweep::Evaluator>(job_.spec, job_.inputs);
          layout_ = std::make_unique<sweep::Layout>(job_.spec);
        })))
      return failed;
    total_ = ev_->space().total();
    meta_.tool_version = "rackscope 0.1.0";
    meta_.git_describe = RACKSCOPE_GIT_DESCRIBE;
    meta_.command_line = broadcast(command_line());
    meta_.start_time = broadcast(utc_now());
    meta_.spec_file = job_.spec.file;
    meta_.ranks = mpi_.size();
    for (const auto& [path, text] : job_.texts) meta_.inputs.emplace_back(path, text);
    return std::nullopt;
  }

  // Up front, on rank 0 (which sees the file system): room on disk for the checkpoint and the
  // result file, and a time within the limit, or the estimate and the limit in one line.
  void check_limits() const {
    const sweep::RunEstimate e = sweep::estimate_run(total_, layout_->row_size(), mpi_.size());
    const std::filesystem::path dir = std::filesystem::absolute(out_.path).parent_path();
    std::error_code ec;
    const auto space = std::filesystem::space(dir, ec);
    double limit = 0;
    try {
      limit = sweep::sweep_time_limit();
    } catch (const std::invalid_argument& bad) {
      throw io::InputError({"RACKSCOPE_SWEEP_TIME_LIMIT", 0}, "", bad.what(), "a time such as \"12 h\" or \"30 d\"");
    }
    const bool resume = out_.resume && std::filesystem::exists(partial_);
    if (auto why = sweep::refuse_run(e, resume, ec ? 1e300 : static_cast<double>(space.available), limit, mpi_.size()))
      throw io::InputError({job_.spec.file, 0}, "", fmt::format("{} configurations: {}", total_, *why),
                           "fewer configurations, a file system with room for -o, or RACKSCOPE_SWEEP_TIME_LIMIT=\"<time>\"");
  }

  // The checkpoint: reopened to resume (it must be this sweep's, with these inputs), else created.
  std::optional<Failure> open_checkpoint() {
    if (auto failed = agree(attempt([&] {
          if (root_) check_limits();
        })))
      return failed;
    return agree(attempt([&] {
      const std::string id = sweep::digest(job_.texts, *layout_);
      if (out_.resume) ck_ = io::SweepCheckpoint::open(partial_, *layout_, total_, id);
      if (ck_) {
        ck_->count_resume();
        meta_.start_time = ck_->start_time();
        meta_.resumes = ck_->resumes();
      } else {
        if (out_.resume && root_ && !out_.quiet)
          fmt::print(stderr, "sweep: no checkpoint {} to resume; starting from the beginning\n", partial_);
        created_checkpoint_ = true;  // before creating: a failed creation may leave a file
        ck_ = io::SweepCheckpoint::create(partial_, *layout_, total_, id, meta_);
      }
    }));
  }

  // Checkpoint intervals from where the checkpoint stands to the end.
  std::optional<Failure> run_intervals() {
    set_stop_note(fmt::format("{} keeps every finished checkpoint interval: rerun with --resume", partial_));
    // Fault injection for tests of the error path (README): this rank fails at its first configuration.
    if (const char* r = std::getenv("RACKSCOPE_SWEEP_FAIL_ON_RANK")) inject_failure_ = std::atoi(r);
    // A kill at a known point for the crash-safety test (tests/mpi/kill_resume.py): every rank
    // ends itself with SIGKILL once this run has checkpointed N intervals, as a killed run would.
    int64_t kill_after_intervals = 0;
    if (const char* n = std::getenv("RACKSCOPE_SWEEP_KILL_AFTER_INTERVALS")) kill_after_intervals = std::atoll(n);
    // A run still going at a known point for the killed-rank test (tests/mpi/faults.py): every rank
    // waits a minute once this run has checkpointed N intervals, however fast the sweep itself is.
    int64_t pause_after_intervals = 0;
    if (const char* n = std::getenv("RACKSCOPE_SWEEP_PAUSE_AFTER_INTERVALS")) pause_after_intervals = std::atoll(n);
    progress_.emplace(total_, ck_->done(), root_ && !out_.quiet);
    per_cluster_ = total_ / ev_->space().clusters();
    // The first interval is short (the rate is unknown); each next one is sized from the rate
    // so far to last about checkpoint_seconds, at most checkpoint_every configurations.
    int64_t length = std::min<int64_t>(job_.spec.checkpoint_every, kFirstInterval);
    for (int64_t begin = ck_->done(); begin < total_;) {
      const int64_t end = interval_end(begin, length);
      const auto started = std::chrono::steady_clock::now();
      if (auto failed = run_interval(begin, end)) return failed;
      if (kill_after_intervals > 0 && --kill_after_intervals == 0) std::raise(SIGKILL);  // all wrote and flushed: agree() in run_interval
      if (pause_after_intervals > 0 && --pause_after_intervals == 0) std::this_thread::sleep_for(std::chrono::minutes(1));
      length = next_length(end - begin, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      begin = end;
      progress_->update(begin);
    }
    progress_->finish(total_);
    return std::nullopt;
  }

  static constexpr int64_t kFirstInterval = 4096;
  static constexpr int64_t kAssemblyBlockBytes = int64_t{4} << 20;  // checkpoint rows read at a time at the end

  // Where an interval of about `length` from `begin` ends: on a cluster boundary where clusters
  // are smaller than the interval (a rank then rarely needs two fabrics in one interval).
  int64_t interval_end(int64_t begin, int64_t length) const {
    int64_t end = begin + length;
    if (per_cluster_ <= length && end / per_cluster_ * per_cluster_ > begin) end = end / per_cluster_ * per_cluster_;
    return std::min(total_, end);
  }

  // The next interval's length from the last one's (`done` configurations in `seconds`), the
  // same on every rank (rank 0's clock, broadcast). Results do not depend on it: only the index.
  int64_t next_length(int64_t done, double seconds) const {
    const int64_t every = job_.spec.checkpoint_every;
    const double rate = done / std::max(seconds, 1e-3);
    const double wanted = rate * static_cast<double>(job_.spec.checkpoint_seconds);
    const int64_t floor = std::min<int64_t>(every, job_.spec.min_chunk * mpi_.size());
    const int64_t mine = static_cast<int64_t>(std::clamp(wanted, static_cast<double>(floor), static_cast<double>(every)));
    return broadcast(mine);
  }

  // One interval: chunks evaluated, then this rank's rows written collectively.
  std::optional<Failure> run_interval(int64_t begin, int64_t end) {
    std::vector<Piece> pieces;
    // The row buffers live across intervals, with room for a whole interval: fresh ones (up to
    // 83 MB each) were grown by copying, zeroed and faulted in again every interval, a third of a
    // 1-rank run of benchmarks/bench_gpt3_space.toml (perf: memmove, memset and page faults).
    std::vector<uint8_t>& rows = interval_rows_;
    std::vector<uint8_t>& sorted = interval_sorted_;
    rows.clear();
    sorted.clear();
    rows.reserve(static_cast<size_t>(end - begin) * layout_->row_size());
    if (auto failed = agree(evaluate_chunks(begin, end, pieces, rows))) return failed;
    // Sorted and checked here, before the collective write, because a rank failing inside a
    // collective call would leave the others waiting.
    io::Runs runs;
    if (auto failed = agree(attempt([&] { sort_rows(pieces, rows, layout_->row_size(), begin, end, sorted, runs); }))) return failed;
    return agree(attempt([&] { ck_->write(runs, sorted, end); }));
  }

  // This rank's chunks of [begin, end), taken from the scheduler until the interval is over.
  // After a failure the rank only drains the interval.
  std::optional<Failure> evaluate_chunks(int64_t begin, int64_t end, std::vector<Piece>& pieces, std::vector<uint8_t>& rows) {
    const size_t rs = layout_->row_size();
    std::optional<Failure> mine;
    Scheduler scheduler(begin, end, job_.spec.min_chunk, per_cluster_);
    const bool fail_here = inject_failure_ && *inject_failure_ == mpi_.rank();
    for (;;) {
      const auto [first, last] = scheduler.next(mine.has_value());
      if (first == last) break;
      if (mine) continue;
      mine = attempt([&, first = first, last = last] {
        const size_t offset = rows.size();
        rows.resize(offset + static_cast<size_t>(last - first) * rs);
        for (int64_t i = first; i < last; ++i) {
          if (fail_here)
            throw io::InputError({"RACKSCOPE_SWEEP_FAIL_ON_RANK", 0}, "", fmt::format("failure injected on rank {}", mpi_.rank()));
          layout_->pack(ev_->evaluate(i), ev_->space(), &rows[offset + static_cast<size_t>(i - first) * rs]);
          progress_->update(begin + scheduler.handed_out());
        }
        pieces.push_back({first, last, offset});
      });
    }
    if (fail_here && !mine)  // no chunk came this rank's way: it fails at the interval's end
      mine = Failure{2, fmt::format("RACKSCOPE_SWEEP_FAIL_ON_RANK: failure injected on rank {}", mpi_.rank())};
    return mine;
  }

  // The result file under its temporary name. Each rank takes an even slice of the checkpoint,
  // counts reasons and its front over it, and splits it into feasible rows and refused (index,
  // reason) rows; an exclusive prefix sum over the ranks places both in the file in index order,
  // whatever the rank count.
  std::optional<Failure> assemble(SweepOutcome& outcome) {
    outcome.counts.assign(sweep::reason_names().size(), 0);
    sweep::Split split;
    std::vector<uint8_t> front;
    // Local work first, agreed before the file's collective calls: a rank failing between two of
    // them would leave the others waiting.
    auto failed = agree(attempt([&] {
      const int64_t first = total_ * mpi_.rank() / mpi_.size(), last = total_ * (mpi_.rank() + 1) / mpi_.size();
      // Read block by block into one buffer: the slice whole (1 GB at 1 rank for
      // benchmarks/bench_gpt3_space.toml) cost more in allocating, zeroing and page faults than in
      // reading, and its memory grew with the sweep. Every rank makes as many (collective) reads
      // as the largest slice needs, the last ones empty where its slice is shorter.
      const int64_t block = std::max<int64_t>(1, kAssemblyBlockBytes / static_cast<int64_t>(layout_->row_size()));
      const int64_t reads = ((total_ + mpi_.size() - 1) / mpi_.size() + block - 1) / block;
      std::vector<uint8_t> rows;
      // Room for every row of the slice refused (9 B a row; most rows of a large search are):
      // /refused then grows without copies or new page faults block after block.
      split.refused.reserve(static_cast<size_t>(last - first) * sweep::kRefusedRowSize);
      for (int64_t k = 0; k < reads; ++k) {
        const int64_t from = std::min(last, first + k * block), to = std::min(last, from + block);
        ck_->read(from, to, rows);
        const size_t n = static_cast<size_t>(to - from);
        sweep::count_reasons(*layout_, rows.data(), n, outcome.counts);
        sweep::split_refused(*layout_, rows.data(), n, split);
      }
      // The slice's front is its feasible rows' front (front_rows passes over the others).
      front = sweep::front_rows(*layout_, job_.spec.objectives, split.feasible.data(), static_cast<size_t>(split.feasible_rows));
    }));
    if (!failed)
      failed = agree(attempt([&] {
        io::SweepFile file(assembling_, *layout_);
        file.write_meta(meta_);
        file.write_space(job_.spec, ev_->space());
        const std::vector<int64_t> mine = {split.feasible_rows, split.refused_rows};
        const std::vector<int64_t> before = exclusive_sum(mine), all = sum(mine);
        file.write_results(all[0], before[0], split.feasible);
        file.write_refused(all[1], before[1], split.refused);
        reduce(front, outcome);
        const int64_t front_count = broadcast(static_cast<int64_t>(outcome.front.size() / layout_->row_size()));
        file.write_pareto(front_count, outcome.front, job_.spec.objectives);
        file.write_infeasible(outcome.counts);
        file.finish(utc_now());
      }));
    ck_.reset();
    return failed;
  }

  // Reason counts summed over the ranks; the front of the union is the front of the ranks' fronts.
  void reduce(const std::vector<uint8_t>& front, SweepOutcome& outcome) const {
    outcome.counts = sum(outcome.counts);
    const std::string gathered = gather(std::string(front.begin(), front.end()));
    if (root_)
      outcome.front = sweep::front_rows(*layout_, job_.spec.objectives, reinterpret_cast<const uint8_t*>(gathered.data()),
                                        gathered.size() / layout_->row_size());
  }

  // The finished file takes its name; the checkpoint goes.
  std::optional<Failure> publish() {
    return agree(attempt([&] {
      if (!root_) return;
      std::filesystem::rename(assembling_, out_.path);
      std::filesystem::remove(partial_);
    }));
  }

  // Rank 0 removes what this run wrote, so no file is left that looks like results.
  Failure end_with(const Failure& f) {
    if (root_) {
      std::error_code ec;
      std::filesystem::remove(assembling_, ec);
      if (created_checkpoint_) std::filesystem::remove(partial_, ec);
    }
    return f;
  }

  const Session& mpi_;
  const SweepJob& job_;
  const SweepOutput& out_;
  const bool root_;
  const std::string partial_, assembling_;
  bool created_checkpoint_ = false;
  std::unique_ptr<sweep::Evaluator> ev_;
  std::unique_ptr<sweep::Layout> layout_;
  std::unique_ptr<io::SweepCheckpoint> ck_;
  io::SweepMeta meta_;
  int64_t total_ = 0, per_cluster_ = 1;
  std::optional<int> inject_failure_;
  std::optional<sweep::Progress> progress_;
  std::vector<uint8_t> interval_rows_, interval_sorted_;  // run_interval's, kept for the next interval
};
}  // namespace

OrFailure<SweepJob> load_sweep_job(const Session& mpi, const std::string& spec_path) {
  // Rank 0 reads everything; the others get the texts.
  SweepJob job;
  if (auto failed = agree(attempt([&] {
        if (mpi.rank() != 0) return;
        io::InputFiles files;
        const sweep::Spec spec = io::read_sweep(spec_path, files);
        job.texts = io::load_inputs(spec);
        for (const auto& f : files.files()) job.texts.emplace(f->path, f->text);
      })))
    return *failed;
  // Every rank: the spec and the evaluator's inputs from the texts.
  if (auto failed = agree(attempt([&] {
        job.texts = broadcast(job.texts);
        auto shared = std::make_shared<const io::Texts>(job.texts);
        io::InputFiles files;
        files.provide(shared);
        job.spec = io::read_sweep(spec_path, files);
        job.inputs = io::sweep_inputs(job.spec, shared);
      })))
    return *failed;
  return job;
}

OrFailure<SweepOutcome> run_sweep(const Session& mpi, const SweepJob& job, const SweepOutput& out) { return SweepRun(mpi, job, out).run(); }

OrFailure<SweepOutcome> run_sweep_file(const Session& mpi, const std::string& spec_path, const SweepOutput& out) {
  OrFailure<SweepJob> job = load_sweep_job(mpi, spec_path);
  if (const Failure* f = std::get_if<Failure>(&job)) {
    // A result file left half-assembled by an earlier run goes too (unless that name is the spec's).
    std::error_code ec;
    if (mpi.rank() == 0 && !attempt([&] { io::check_output("-o", out.path + ".tmp", {spec_path}); }))
      std::filesystem::remove(out.path + ".tmp", ec);
    return *f;
  }
  return run_sweep(mpi, std::get<SweepJob>(job), out);
}

}  // namespace rackscope::dist
