#pragma once
// A communicator described by its shape instead of its endpoint list: a grid of ranks anchored at
// rank 0 (rank sum of k_i * stride_i, 0 <= k_i < size_i, over its dimensions in order) and its
// siblings' offsets, a grid likewise, kept to those below `limit` (their rack). The planner keys
// plans by it: finding a cached plan hashes a few integers rather than hundreds of endpoints, and
// the endpoint lists are laid out once per shape, not on every evaluation.
#include <cstdint>

#include "collective/plan.hpp"

namespace rackscope::collective {

struct GroupShape {
  struct Dim {
    int size = 1, stride = 1;
    bool operator==(const Dim&) const = default;
  };
  static constexpr int max_dims = 8;
  Dim own[max_dims], siblings[max_dims];
  int own_dims = 0, sibling_dims = 0;
  int limit = 0;  // siblings' offsets lie below it (0: the group runs alone)

  // Dimensions that add no rank (size 1; siblings' strides at or past the limit) are left out, so
  // that shapes giving the same Group compare equal. Order is kept for the group's own: it orders
  // the endpoints; siblings compare as the set of offsets they reach.
  void add_own(int size, int stride);
  void add_sibling(int size, int stride);
  void set_limit(int l);
  int size() const;       // ranks in the group
  int last_rank() const;  // the group's highest endpoint
  bool operator==(const GroupShape& o) const;
  uint64_t hash() const;
};

// The endpoints the shape describes, in the order workload::place() lays them out (dimension by
// dimension, each new one innermost in the list), and the siblings' offsets in ascending order.
Group materialize(const GroupShape& s);

}  // namespace rackscope::collective
