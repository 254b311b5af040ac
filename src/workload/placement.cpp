#include "workload/placement.hpp"

#include <algorithm>
#include <limits>

namespace rackscope::workload {

Placement place(const Execution& e, int span) {
  // The grid's dimensions, each with its size and its stride in rank numbers; EP is the inner
  // part of DP (Megatron's expert parallelism).
  struct Dim {
    int size = 1, stride = 1;
  };
  enum { tp, cp, ep, dp, pp, dims };
  Dim grid[dims];
  grid[tp].size = e.tp, grid[cp].size = e.cp, grid[ep].size = e.ep, grid[dp].size = e.dp / e.ep, grid[pp].size = e.pp;
  static const char* names[dims] = {"tp", "cp", "ep", "dp", "pp"};
  int s = 1;
  for (const auto& name : e.order) {
    Dim& d = grid[std::find(names, names + dims, name) - names];
    d.stride = s;
    s *= d.size;
  }
  // Rank 0 (first) and the ranks reached from it by varying `along` that lie below `limit`.
  auto reach = [&](std::initializer_list<int> along, int limit) {
    std::vector<int> ranks = {0};
    for (int i : along) {
      const Dim d = grid[i];
      std::vector<int> next;
      for (int base : ranks)
        for (int k = 0; k < d.size && (k == 0 || base + k * d.stride < limit); ++k) next.push_back(base + k * d.stride);
      ranks = std::move(next);
    }
    return ranks;
  };
  // A communicator varies in `own`; its siblings (offsets below `span`, without 0: the group
  // itself) in `others`.
  auto group = [&](std::initializer_list<int> own, std::initializer_list<int> others) {
    collective::Group g;
    g.endpoints = reach(own, std::numeric_limits<int>::max());
    g.concurrent = reach(others, span);
    g.concurrent.erase(g.concurrent.begin());
    return g;
  };
  Placement p;
  p.tp = group({tp}, {cp, ep, dp});
  p.cp = group({cp}, {tp, ep, dp});
  p.ep = group({ep}, {tp, cp, dp});
  p.dp = group({ep, dp}, {tp, cp});
  p.pp_pair = group({}, {tp, cp, ep, dp});
  if (e.pp > 1) p.pp_pair.endpoints.push_back(grid[pp].stride);
  return p;
}

}  // namespace rackscope::workload
