#pragma once
// The sizing search shared by `size` and `compare`, run on every MPI rank: units handed out
// round-robin, results gathered on rank 0 (through the same JSON round trip for every rank's
// options, so the answer is identical at any rank count).
#include <optional>
#include <string>
#include <vector>

#include "dist/comm.hpp"
#include "io/input_file.hpp"
#include "size/search.hpp"

namespace rackscope::cli {

// The turnkey configurations named (default: the shipped ones), each checked for a compute
// profile (the step model needs one).
std::vector<size::Candidate> load_candidates(const std::vector<std::string>& paths, const std::vector<std::string>& sets,
                                             io::InputFiles& files);

// One line per configuration whose search the memory limit stopped (Answer::memory_capped), as
// `size` and `compare` print them.
std::vector<std::string> memory_limit_lines(const size::Request& request, const std::vector<size::Candidate>& candidates,
                                            const size::Answer& answer);

// Fills `answer` on rank 0 (others get an empty one); a failure on any rank is every rank's.
std::optional<dist::Failure> search_on_every_rank(const size::Request& request, const std::vector<size::Candidate>& candidates,
                                                  const dist::Session& mpi, size::Answer& answer);

}  // namespace rackscope::cli
