#include "sweep/pareto.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rackscope::sweep {

std::vector<size_t> pareto_front(const std::vector<std::vector<double>>& points) {
  std::vector<size_t> order;
  for (size_t i = 0; i < points.size(); ++i)
    if (std::none_of(points[i].begin(), points[i].end(), [](double x) { return std::isnan(x); })) order.push_back(i);
  // Lexicographic order: a point can only be dominated by one before it.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return points[a] < points[b]; });
  auto dominates = [&](const std::vector<double>& q, const std::vector<double>& p) {
    bool strictly = false;
    for (size_t k = 0; k < p.size(); ++k) {
      if (q[k] > p[k]) return false;
      strictly |= q[k] < p[k];
    }
    return strictly;
  };
  std::vector<size_t> front;
  for (size_t i : order)
    if (std::none_of(front.begin(), front.end(), [&](size_t f) { return dominates(points[f], points[i]); })) front.push_back(i);
  std::sort(front.begin(), front.end());
  return front;
}

}  // namespace rackscope::sweep
