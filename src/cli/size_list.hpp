#pragma once
#include <string>
#include <vector>

namespace rackscope::cli {
// nccl-tests sizes: "8", "512K", "8M", "8G" (K/M/G = 2^10/2^20/2^30, an optional trailing B).
// Returns false with `why` set on a malformed size or one outside 1 B .. kMaxMessageBytes.
inline constexpr double kMaxMessageBytes = 1024.0 * 1024 * 1024 * 1024 * 1024;  // 1024T = 2^50 B
bool parse_size(const std::string& text, double& bytes, std::string& why);
// Sizes from `begin` to `end` multiplying by `factor` (nccl-tests -b/-e/-f).
std::vector<double> size_sweep(double begin, double end, double factor);
}  // namespace rackscope::cli
