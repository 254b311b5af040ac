#pragma once
// Dynamic distribution of one checkpoint interval's configurations over the ranks. Rank 0
// keeps the shares (sweep::Chunks) and, between its own configurations, answers the other
// ranks' requests (serve()). Each other rank always has one request in flight while it works,
// so its next chunk is usually waiting when it finishes one. A rank that failed says so in its
// requests; rank 0 then hands out nothing more and the interval ends on every rank, where the
// failure is agreed (dist::agree): an error never leaves a rank waiting.
#include <cstdint>
#include <memory>
#include <utility>

#include "sweep/chunks.hpp"

namespace rackscope::dist {

class Scheduler {
 public:
  // Collective: every rank constructs it for the same [begin, end).
  Scheduler(int64_t begin, int64_t end, int64_t min_chunk);
  ~Scheduler();
  // This rank's next chunk [first, last), or first == last when the interval is over for it.
  // `failed`: this rank has failed (it computes nothing more and only drains the interval).
  std::pair<int64_t, int64_t> next(bool failed);
  // Rank 0: answers waiting requests; call it between configurations. Elsewhere: nothing.
  void serve();
  // Rank 0: configurations handed out so far in this interval (for progress).
  int64_t handed_out() const { return handed_out_; }

 private:
  void answer(int worker, bool failed);
  int rank_ = 0, size_ = 1;
  sweep::Chunks chunks_;
  int finished_ = 0;         // rank 0: workers told the interval is over
  bool requested_ = false;   // worker: a request is in flight
  int64_t handed_out_ = 0;
};

}  // namespace rackscope::dist
