// dist/comm.hpp for a build without MPI (meson -Dparallel=disabled): one rank, so every
// collective call returns this rank's own data. Chosen by the build instead of comm.cpp.
#include "dist/comm.hpp"

namespace rackscope::dist {

Session::Session() = default;
Session::~Session() = default;

std::string broadcast(const std::string& text, int) { return text; }
int64_t broadcast(int64_t value, int) { return value; }
std::map<std::string, std::string> broadcast(const std::map<std::string, std::string>& texts, int) { return texts; }
int64_t sum(int64_t value) { return value; }
std::vector<int64_t> sum(const std::vector<int64_t>& values) { return values; }
std::vector<int64_t> exclusive_sum(const std::vector<int64_t>& values) { return std::vector<int64_t>(values.size(), 0); }
double max(double value) { return value; }
std::string gather(const std::string& bytes) { return bytes; }
void barrier() {}
std::optional<Failure> agree(const std::optional<Failure>& mine) { return mine; }

}  // namespace rackscope::dist
