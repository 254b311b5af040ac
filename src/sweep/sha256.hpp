#pragma once
// SHA-256 (FIPS 180-4) of a byte string as 64 lowercase hex digits: the /meta record of each
// input file, so a result file says exactly which inputs produced it.
#include <string>
#include <string_view>

namespace rackscope::sweep {
std::string sha256_hex(std::string_view data);
}  // namespace rackscope::sweep
