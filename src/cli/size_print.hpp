#pragma once
// The sizing answer as a terminal table (opening with one sentence that says the answer) or JSON.
#include <vector>

#include "size/request.hpp"

namespace rackscope::cli {

void print_size_text(const size::Request& r, const std::vector<size::Candidate>& c, const size::Answer& a);
void print_size_json(const size::Request& r, const std::vector<size::Candidate>& c, const size::Answer& a);

}  // namespace rackscope::cli
