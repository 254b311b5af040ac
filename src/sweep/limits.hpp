#pragma once
// What a sweep will cost before it starts: the disk its checkpoint and result file take and a
// lower bound on its time, so that a sweep too large for its disk or its allotted time is
// refused up front with the estimate (rather than asking HDF5 for a 214 TB file).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

namespace rackscope::sweep {

struct RunEstimate {
  double checkpoint_bytes = 0;  // OUT.partial: a reason byte and a row per configuration, allocated when created (bound: all feasible)
  double result_bytes = 0;      // OUT.tmp while assembled, beside the checkpoint: at most every row
  double seconds = 0;           // at least: kMinSecondsPerConfig per configuration, shared by the ranks
};

// A floor under the time per configuration per rank: the shipped sweep (README: 207,360
// configurations in about 5 s on 2 ranks) takes 48 us; smaller clusters are faster, larger
// ones slower. Times from this floor are lower bounds.
inline constexpr double kMinSecondsPerConfig = 20e-6;

RunEstimate estimate_run(int64_t configurations, size_t row_bytes, int ranks);

// The time a sweep may take, from RACKSCOPE_SWEEP_TIME_LIMIT ("30 d", "12 h"), else 30 days.
// Throws std::invalid_argument naming the problem when the variable is not a time.
double sweep_time_limit();

// Why a sweep cannot run: its files need more than `available` bytes, or it would take longer
// than `time_limit`; nullopt when it fits. `resume`: the checkpoint exists already.
std::optional<std::string> refuse_run(const RunEstimate& e, bool resume, double available, double time_limit, int ranks);

}  // namespace rackscope::sweep
