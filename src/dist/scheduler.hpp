#pragma once
// Dynamic distribution of one checkpoint interval's configurations over the ranks. Rank 0
// keeps the shares (sweep::Chunks); a service thread on rank 0 answers the other ranks'
// requests while rank 0's main thread evaluates its own chunks (a configuration that builds a
// fabric keeps a thread busy for a tenth of a second; the others must not wait for that). Each
// other rank always has one request in flight while it works, so its next chunk is usually
// waiting when it finishes one. A rank that failed says so in its requests; rank 0 then hands
// out nothing more and the interval ends on every rank, where the failure is agreed
// (dist::agree): an error never leaves a rank waiting.
#include <atomic>
#include <cstdint>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include "sweep/chunks.hpp"

namespace rackscope::dist {

class Scheduler {
 public:
  // Collective: every rank constructs it for the same [begin, end); `granule`: configurations
  // per cluster (sweep::Chunks).
  Scheduler(int64_t begin, int64_t end, int64_t min_chunk, int64_t granule);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  // This rank's next chunk [first, last), or first == last when the interval is over for it.
  // `failed`: this rank has failed (it computes nothing more and only drains the interval).
  std::pair<int64_t, int64_t> next(bool failed);
  // Rank 0: configurations handed out so far in this interval (for progress).
  int64_t handed_out() const { return handed_out_; }

 private:
  void service();  // rank 0's thread: answers requests until every other rank is told to stop
  void finish_service();
  int rank_ = 0, size_ = 1;
  sweep::Chunks chunks_;
  std::mutex mutex_;  // guards chunks_ between rank 0's threads
  std::thread thread_;
  std::exception_ptr thread_error_;
  bool requested_ = false;  // other ranks: a request is in flight
  std::atomic<int64_t> handed_out_{0};
};

}  // namespace rackscope::dist
