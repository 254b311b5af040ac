#include "size/quarter.hpp"

#include <cctype>

namespace rackscope::size {

bool valid_quarter(const std::string& q) {
  if (q.size() != 6 || q[4] != 'Q' || q[5] < '1' || q[5] > '4') return false;
  for (int i = 0; i < 4; ++i)
    if (!std::isdigit(static_cast<unsigned char>(q[i]))) return false;
  return true;
}

int quarter_index(const std::string& q) { return std::stoi(q.substr(0, 4)) * 4 + (q[5] - '1'); }

}  // namespace rackscope::size
