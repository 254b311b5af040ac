#pragma once
// The MPI world as the sweep needs it, without exposing <mpi.h>: start and stop, broadcast,
// reductions and gathers of plain data. Without mpirun the same calls run as one rank.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rackscope::dist {

// MPI_Init on construction, MPI_Finalize on destruction.
class Session {
 public:
  Session();
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0, size_ = 1;
};

// Collective over every rank; `root` sends, the others receive. Failures throw
// std::runtime_error.
std::string broadcast(const std::string& text, int root = 0);
int64_t broadcast(int64_t value, int root = 0);
// Input texts by path: rank 0 reads the files, every rank gets their contents.
std::map<std::string, std::string> broadcast(const std::map<std::string, std::string>& texts, int root = 0);
int64_t sum(int64_t value);
std::vector<int64_t> sum(const std::vector<int64_t>& values);
// Element by element, the sum over the ranks below this one (zeros on rank 0): where this rank's
// part goes in a dataset the ranks fill in rank order.
std::vector<int64_t> exclusive_sum(const std::vector<int64_t>& values);
double max(double value);
// Every rank's bytes, concatenated in rank order, on rank 0 (empty elsewhere).
std::string gather(const std::string& bytes);

// Collective: returns once every rank has called it.
void barrier();

// A failure as every rank learns it: the exit code and the one-line message.
struct Failure {
  int code = 2;
  std::string message;
};
// Collective: when any rank passes a failure, every rank gets the lowest such rank's; else nullopt.
std::optional<Failure> agree(const std::optional<Failure>& mine);

}  // namespace rackscope::dist
