#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace rackscope::io {
// The candidate closest to `word` by edit distance, or empty when none is close enough to help.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);
}  // namespace rackscope::io
