#pragma once
// Progress of a sweep on stderr (rank 0): configurations done / total, rate and ETA. On a
// terminal a bar redrawn in place; otherwise (logs, batch jobs) one line every few seconds.
#include <chrono>
#include <cstdint>

namespace rackscope::sweep {

class Progress {
 public:
  // `done`: configurations already done by an earlier (resumed) run, not counted in the rate.
  Progress(int64_t total, int64_t done, bool enabled);
  // Cheap when nothing is due: call it often.
  void update(int64_t done);
  void finish(int64_t done);

 private:
  void draw(int64_t done, bool last);
  using Clock = std::chrono::steady_clock;
  int64_t total_, start_done_;
  bool enabled_, tty_;
  Clock::time_point start_, last_draw_;
};

}  // namespace rackscope::sweep
