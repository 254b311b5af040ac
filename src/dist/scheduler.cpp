#include "dist/scheduler.hpp"

#include <mpi.h>

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

Scheduler::Scheduler(int64_t begin, int64_t end, int64_t min_chunk)
    : rank_(world_rank()), size_(world_size()), chunks_(begin, end, world_size(), min_chunk) {}

Scheduler::~Scheduler() = default;

void Scheduler::answer(int worker, bool failed) {
  if (failed) chunks_.close();
  const auto [first, last] = chunks_.next(worker);
  const int64_t grant[2] = {first, last};
  handed_out_ += last - first;
  if (first == last) ++finished_;
  check(MPI_Send(grant, 2, MPI_INT64_T, worker, kGrant, MPI_COMM_WORLD));
}

void Scheduler::serve() {
  if (rank_ != 0) return;
  for (;;) {
    int waiting = 0;
    MPI_Status st;
    check(MPI_Iprobe(MPI_ANY_SOURCE, kRequest, MPI_COMM_WORLD, &waiting, &st));
    if (!waiting) return;
    int64_t failed = 0;
    check(MPI_Recv(&failed, 1, MPI_INT64_T, st.MPI_SOURCE, kRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    answer(st.MPI_SOURCE, failed != 0);
  }
}

std::pair<int64_t, int64_t> Scheduler::next(bool failed) {
  if (rank_ == 0) {
    if (failed) chunks_.close();
    serve();
    const auto mine = chunks_.next(0);
    if (mine.first != mine.second) {
      handed_out_ += mine.second - mine.first;
      return mine;
    }
    // Nothing left for rank 0: tell every other rank, as each asks, that the interval is over.
    while (finished_ < size_ - 1) {
      int64_t f = 0;
      MPI_Status st;
      check(MPI_Recv(&f, 1, MPI_INT64_T, MPI_ANY_SOURCE, kRequest, MPI_COMM_WORLD, &st));
      answer(st.MPI_SOURCE, f != 0);
    }
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
