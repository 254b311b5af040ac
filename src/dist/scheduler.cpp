#include "dist/scheduler.hpp"

#include <mpi.h>

#include <chrono>
#include <stdexcept>

namespace rackscope::dist {
namespace {
constexpr int kRequest = 101, kGrant = 102;

int world_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int world_size() {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}
void check(int rc) {
  if (rc != MPI_SUCCESS) throw std::runtime_error("MPI point-to-point message failed");
}
}  // namespace

Scheduler::Scheduler(int64_t begin, int64_t end, int64_t min_chunk, int64_t granule)
    : rank_(world_rank()), size_(world_size()), chunks_(begin, end, world_size(), min_chunk, granule) {
  // Only this thread calls MPI while the interval runs on rank 0 (MPI_THREAD_SERIALIZED).
  if (rank_ == 0 && size_ > 1) thread_ = std::thread([this] { service(); });
}

Scheduler::~Scheduler() {
  if (thread_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      chunks_.close();  // left early (an exception): the other ranks are told to stop
    }
    thread_.join();
  }
}

void Scheduler::service() {
  try {
    int finished = 0;
    while (finished < size_ - 1) {
      int waiting = 0;
      MPI_Status st;
      check(MPI_Iprobe(MPI_ANY_SOURCE, kRequest, MPI_COMM_WORLD, &waiting, &st));
      if (!waiting) {
        // Polling with a short sleep: a blocking receive in Open MPI spins and would take a
        // core from rank 0's own evaluations.
        std::this_thread::sleep_for(std::chrono::microseconds(500));
        continue;
      }
      int64_t failed = 0;
      check(MPI_Recv(&failed, 1, MPI_INT64_T, st.MPI_SOURCE, kRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
      std::pair<int64_t, int64_t> grant;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        if (failed) chunks_.close();
        grant = chunks_.next(st.MPI_SOURCE);
      }
      handed_out_ += grant.second - grant.first;
      if (grant.first == grant.second) ++finished;
      const int64_t msg[2] = {grant.first, grant.second};
      check(MPI_Send(msg, 2, MPI_INT64_T, st.MPI_SOURCE, kGrant, MPI_COMM_WORLD));
    }
  } catch (...) {
    thread_error_ = std::current_exception();
  }
}

void Scheduler::finish_service() {
  if (!thread_.joinable()) return;
  thread_.join();
  if (thread_error_) std::rethrow_exception(thread_error_);
}

std::pair<int64_t, int64_t> Scheduler::next(bool failed) {
  if (rank_ == 0) {
    std::pair<int64_t, int64_t> mine;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (failed) chunks_.close();
      mine = chunks_.next(0);
    }
    if (mine.first != mine.second) {
      handed_out_ += mine.second - mine.first;
      return mine;
    }
    finish_service();  // the interval ends when every other rank has been told so
    return {0, 0};
  }
  const int64_t flag = failed ? 1 : 0;
  if (!requested_) {
    check(MPI_Send(&flag, 1, MPI_INT64_T, 0, kRequest, MPI_COMM_WORLD));
    requested_ = true;
  }
  int64_t grant[2] = {0, 0};
  check(MPI_Recv(grant, 2, MPI_INT64_T, 0, kGrant, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
  requested_ = false;
  if (grant[0] == grant[1]) return {0, 0};
  // Ask for the next chunk now, so it is waiting when this one is done.
  check(MPI_Send(&flag, 1, MPI_INT64_T, 0, kRequest, MPI_COMM_WORLD));
  requested_ = true;
  return {grant[0], grant[1]};
}

}  // namespace rackscope::dist
