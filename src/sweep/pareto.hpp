#pragma once
// Non-dominated points. Every objective is to be minimised (negate what is maximised).
#include <cstddef>
#include <vector>

namespace rackscope::sweep {
// Positions in `points` of the points no other point dominates (at most as large in every
// objective and smaller in one), in the order given. Points with a NaN objective are left out;
// equal points are all kept.
std::vector<size_t> pareto_front(const std::vector<std::vector<double>>& points);
}  // namespace rackscope::sweep
