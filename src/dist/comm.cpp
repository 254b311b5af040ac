#include "dist/comm.hpp"

#include "dist/stop_report.hpp"

#include <mpi.h>

#include <algorithm>
#include <stdexcept>

namespace rackscope::dist {

Session::Session() {
  int started = 0;
  MPI_Initialized(&started);
  // Serialized: rank 0's scheduler thread makes MPI calls while the main thread makes none.
  int provided = 0;
  if (!started) MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
  else MPI_Query_thread(&provided);
  if (provided < MPI_THREAD_SERIALIZED) throw std::runtime_error("the MPI library does not support MPI_THREAD_SERIALIZED");
  // Errors are returned, not fatal, so a failing call is reported like any other problem.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  install_stop_report(rank_, size_);
}

Session::~Session() {
  quiet_stop_report();
  int stopped = 0;
  MPI_Finalized(&stopped);
  if (!stopped) MPI_Finalize();
}

namespace {
void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI ") + what + " failed");
}
}  // namespace

std::string broadcast(const std::string& text, int root) {
  int64_t n = broadcast(static_cast<int64_t>(text.size()), root);
  std::string out = text;
  out.resize(static_cast<size_t>(n));
  // Large inputs go in pieces: MPI counts are int.
  for (int64_t off = 0; off < n; off += 1 << 30) {
    const int part = static_cast<int>(std::min<int64_t>(n - off, 1 << 30));
    check(MPI_Bcast(out.data() + off, part, MPI_CHAR, root, MPI_COMM_WORLD), "broadcast");
  }
  return out;
}

int64_t broadcast(int64_t value, int root) {
  check(MPI_Bcast(&value, 1, MPI_INT64_T, root, MPI_COMM_WORLD), "broadcast");
  return value;
}

std::map<std::string, std::string> broadcast(const std::map<std::string, std::string>& texts, int root) {
  // Flattened as (length, bytes) pairs: path, text, path, text...
  std::string flat;
  for (const auto& [path, text] : texts)
    for (const std::string* s : {&path, &text}) flat += std::to_string(s->size()) + ":" + *s;
  flat = broadcast(flat, root);
  std::map<std::string, std::string> out;
  size_t at = 0;
  auto take = [&] {
    const size_t colon = flat.find(':', at);
    const size_t n = std::stoul(flat.substr(at, colon - at));
    at = colon + 1 + n;
    return flat.substr(colon + 1, n);
  };
  while (at < flat.size()) {
    std::string path = take();
    out[path] = take();
  }
  return out;
}

int64_t sum(int64_t value) {
  int64_t out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD), "allreduce");
  return out;
}

std::vector<int64_t> sum(const std::vector<int64_t>& values) {
  std::vector<int64_t> out(values.size());
  check(MPI_Allreduce(values.data(), out.data(), static_cast<int>(values.size()), MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD), "allreduce");
  return out;
}

std::vector<int64_t> exclusive_sum(const std::vector<int64_t>& values) {
  std::vector<int64_t> out(values.size(), 0);
  check(MPI_Exscan(values.data(), out.data(), static_cast<int>(values.size()), MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD), "exscan");
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) std::fill(out.begin(), out.end(), 0);  // MPI leaves rank 0's result undefined
  return out;
}

double max(double value) {
  double out = 0;
  check(MPI_Allreduce(&value, &out, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD), "allreduce");
  return out;
}

std::string gather(const std::string& bytes) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int mine = static_cast<int>(bytes.size());
  std::vector<int> counts(size), offsets(size);
  check(MPI_Gather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, MPI_COMM_WORLD), "gather");
  std::string out;
  if (rank == 0) {
    int64_t total = 0;
    for (int r = 0; r < size; ++r) offsets[r] = static_cast<int>(total), total += counts[r];
    if (total > (int64_t{1} << 31) - 1) throw std::runtime_error("gather of more than 2 GiB");
    out.resize(static_cast<size_t>(total));
  }
  check(MPI_Gatherv(bytes.data(), mine, MPI_CHAR, out.data(), counts.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD), "gather");
  return out;
}

void barrier() { check(MPI_Barrier(MPI_COMM_WORLD), "barrier"); }

std::optional<Failure> agree(const std::optional<Failure>& mine) {
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int candidate = mine ? rank : size, first = size;
  check(MPI_Allreduce(&candidate, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "allreduce");
  if (first == size) return std::nullopt;
  quiet_stop_report();  // every rank is ending with this failure, which rank 0 reports
  Failure f;
  f.code = static_cast<int>(broadcast(static_cast<int64_t>(mine && rank == first ? mine->code : 0), first));
  f.message = broadcast(mine && rank == first ? mine->message : std::string(), first);
  return f;
}

}  // namespace rackscope::dist
