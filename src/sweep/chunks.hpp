#pragma once
// Work distribution inside one checkpoint interval [begin, end). Each rank owns a contiguous
// share (its configurations mostly share clusters, so its fabric cache stays warm) and takes
// chunks from the front of it, an eighth of what is left at a time (guided scheduling: few
// requests while there is much to do, small chunks at the end for balance). A rank whose share
// is done steals the back half of the largest share left: cheap and costly configurations
// differ by orders of magnitude, so static shares alone would leave ranks idle. Shares and
// steals are cut at multiples of `granule` (the configurations of one cluster) where they can
// be, so two ranks rarely build the same cluster's fabric.
#include <cstdint>
#include <utility>
#include <vector>

namespace rackscope::sweep {

class Chunks {
 public:
  Chunks(int64_t begin, int64_t end, int ranks, int64_t min_chunk, int64_t granule = 1);
  // The next [first, last) for `rank`; first == last when nothing is left for anyone.
  std::pair<int64_t, int64_t> next(int rank);
  // Hands out nothing more (a rank failed: everyone stops at the end of its chunk).
  void close() { closed_ = true; }

 private:
  struct Share {
    int64_t next = 0, end = 0;
  };
  std::vector<Share> shares_;
  // The multiple of granule_ nearest to `x` strictly inside (lo, hi), or else x within [lo, hi].
  int64_t cut(int64_t x, int64_t lo, int64_t hi) const;
  int64_t min_chunk_, granule_;
  bool closed_ = false;
};

}  // namespace rackscope::sweep
