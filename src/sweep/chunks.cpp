#include "sweep/chunks.hpp"

#include <algorithm>

namespace rackscope::sweep {

Chunks::Chunks(int64_t begin, int64_t end, int ranks, int64_t min_chunk) : shares_(ranks), min_chunk_(std::max<int64_t>(1, min_chunk)) {
  const int64_t n = end - begin;
  for (int r = 0; r < ranks; ++r) shares_[r] = {begin + n * r / ranks, begin + n * (r + 1) / ranks};
}

std::pair<int64_t, int64_t> Chunks::next(int rank) {
  if (closed_) return {0, 0};
  Share& own = shares_[rank];
  if (own.next >= own.end) {
    Share* victim = nullptr;
    for (auto& s : shares_)
      if (s.end - s.next > 0 && (!victim || s.end - s.next > victim->end - victim->next)) victim = &s;
    if (!victim) return {0, 0};
    const int64_t left = victim->end - victim->next;
    const int64_t mid = left < 2 * min_chunk_ ? victim->next : victim->next + left / 2;
    own = {mid, victim->end};
    victim->end = mid;
  }
  const int64_t size = std::clamp((own.end - own.next) / 8, min_chunk_, std::max<int64_t>(min_chunk_, 8192));
  const int64_t first = own.next;
  own.next = std::min(own.end, first + size);
  return {first, own.next};
}

}  // namespace rackscope::sweep
