#include "sweep/chunks.hpp"

#include <algorithm>

namespace rackscope::sweep {

Chunks::Chunks(int64_t begin, int64_t end, int ranks, int64_t min_chunk, int64_t granule)
    : shares_(ranks), min_chunk_(std::max<int64_t>(1, min_chunk)), granule_(std::max<int64_t>(1, granule)) {
  const int64_t n = end - begin;
  std::vector<int64_t> bounds = {begin};
  for (int r = 1; r < ranks; ++r) bounds.push_back(cut(begin + n * r / ranks, bounds.back(), end));
  bounds.push_back(end);
  for (int r = 0; r < ranks; ++r) shares_[r] = {bounds[r], bounds[r + 1]};
}

int64_t Chunks::cut(int64_t x, int64_t lo, int64_t hi) const {
  const int64_t down = x / granule_ * granule_, up = down + granule_;
  const int64_t best = x - down <= up - x ? down : up;
  if (best > lo && best < hi) return best;
  if (down > lo && down < hi) return down;
  if (up > lo && up < hi) return up;
  return std::clamp(x, lo, hi);  // a cut never passes the previous one
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
    const int64_t mid = left < 2 * min_chunk_ ? victim->next : cut(victim->next + left / 2, victim->next, victim->end);
    own = {mid, victim->end};
    victim->end = mid;
  }
  const int64_t size = std::clamp((own.end - own.next) / 8, min_chunk_, std::max<int64_t>(min_chunk_, 8192));
  const int64_t first = own.next;
  own.next = std::min(own.end, first + size);
  return {first, own.next};
}

}  // namespace rackscope::sweep
