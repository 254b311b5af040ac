#include "workload/placement.hpp"

#include <algorithm>

namespace rackscope::workload {

PlacementShapes place_shapes(const Execution& e, int span) {
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
  // A communicator varies in `own` from rank 0; its siblings (offsets below `span`) in `others`.
  auto group = [&](std::initializer_list<int> own, std::initializer_list<int> others) {
    collective::GroupShape g;
    for (int i : own) g.add_own(grid[i].size, grid[i].stride);
    for (int i : others) g.add_sibling(grid[i].size, grid[i].stride);
    g.set_limit(span);
    return g;
  };
  PlacementShapes p;
  p.tp = group({tp}, {cp, ep, dp});
  p.cp = group({cp}, {tp, ep, dp});
  p.ep = group({ep}, {tp, cp, dp});
  p.dp = group({cp, ep, dp}, {tp});  // gradients are summed over CP too: param_replicas()
  p.edp = group({cp, dp}, {tp, ep});  // the same experts: Megatron-Core's expert_data_parallel_group
  // A pipeline send: rank 0 and its peer one stage on.
  p.pp_pair = group({}, {tp, cp, ep, dp});
  p.pp_pair.add_own(std::min(e.pp, 2), grid[pp].stride);
  return p;
}

Placement place(const Execution& e, int span) {
  const PlacementShapes s = place_shapes(e, span);
  return {collective::materialize(s.tp), collective::materialize(s.cp), collective::materialize(s.ep), collective::materialize(s.dp),
          collective::materialize(s.edp), collective::materialize(s.pp_pair)};
}

}  // namespace rackscope::workload
