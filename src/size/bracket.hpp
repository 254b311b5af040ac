#pragma once
// Bracketing a monotone predicate over a sorted list of rack counts without probing them all:
// each probe builds a fabric and plans collectives, so the search gallops from a good first
// guess (1, 2, 4... steps) and then bisects, as one brackets a root.
#include <algorithm>
#include <cstddef>

namespace rackscope::size {

// The smallest index in [0, n) whose `holds` is true, for a predicate that is false then true
// (monotone), starting the search at `start`: gallop away from it, then bisect. n when none.
template <class Pred>
size_t first_true(size_t n, size_t start, Pred holds) {
  if (n == 0) return 0;
  start = std::min(start, n - 1);
  size_t lo, hi;  // holds(hi) is true (or hi == n), holds(lo - 1) false (or lo == 0)
  if (holds(start)) {
    hi = start;
    size_t step = 1;
    while (true) {
      if (hi == 0) return 0;
      const size_t probe = hi >= step ? hi - step : 0;
      if (!holds(probe)) {
        lo = probe + 1;
        break;
      }
      hi = probe;
      step *= 2;
    }
  } else {
    lo = start + 1;
    size_t step = 1;
    while (true) {
      if (lo >= n) return n;
      const size_t probe = std::min(n - 1, lo + step - 1);
      if (holds(probe)) {
        hi = probe;
        break;
      }
      if (probe == n - 1) return n;
      lo = probe + 1;
      step *= 2;
    }
  }
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (holds(mid)) hi = mid;
    else lo = mid + 1;
  }
  return hi;
}

}  // namespace rackscope::size
