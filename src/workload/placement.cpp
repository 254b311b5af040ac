#include "workload/placement.hpp"

#include <algorithm>
#include <vector>

namespace rackscope::workload {

PlacementShapes place_shapes(const Execution& e, int span) {
  // The grid's dimensions, each with its size and its stride in rank numbers; EP is the inner
  // part of DP (Megatron's expert parallelism).
  struct Dim {
    int size = 1, stride = 1;
  };
  enum { tp, cp, ep, dp, pp, dims };
  Dim grid[dims];
  // Folded, the experts have a grid of their own (below) and the dense grid no EP part.
  const int dense_ep = expert_grid_folded(e) ? 1 : e.ep;
  grid[tp].size = e.tp, grid[cp].size = e.cp, grid[ep].size = dense_ep, grid[dp].size = e.dp / dense_ep, grid[pp].size = e.pp;
  static const char* names[dims] = {"tp", "cp", "ep", "dp", "pp"};
  int s = 1;
  for (const auto& name : e.order) {
    Dim& d = grid[std::find(names, names + dims, name) - names];
    d.stride = s;
    s *= d.size;
  }
  // A communicator varies in `own` from rank 0; its siblings (offsets below `span`) in `others`.
  auto group = [&](const std::vector<Dim>& own, const std::vector<Dim>& others) {
    collective::GroupShape g;
    for (const Dim& d : own) g.add_own(d.size, d.stride);
    for (const Dim& d : others) g.add_sibling(d.size, d.stride);
    g.set_limit(span);
    return g;
  };
  PlacementShapes p;
  p.tp = group({grid[tp]}, {grid[cp], grid[ep], grid[dp]});
  p.cp = group({grid[cp]}, {grid[tp], grid[ep], grid[dp]});
  p.dp = group({grid[cp], grid[ep], grid[dp]}, {grid[tp]});  // gradients are summed over CP too: param_replicas()
  // The EP group (its own dimension and its siblings'), and split at rack boundaries.
  Dim ep_own;
  std::vector<Dim> ep_others;
  if (expert_grid_folded(e)) {
    // The experts' own grid over a stage's ranks 0 .. tp*cp*dp - 1 (pp outermost, checked by
    // check_structure): etp innermost, then ep, then the expert data-parallel replicas.
    const int etp = expert_tp(e);
    const Dim ex_tp{etp, 1}, ex_ep{e.ep, etp}, ex_dp{expert_replicas(e), etp * e.ep};
    p.etp = group({ex_tp}, {ex_ep, ex_dp});
    p.edp = group({ex_dp}, {ex_tp, ex_ep});
    ep_own = ex_ep, ep_others = {ex_tp, ex_dp};
  } else {
    p.etp = p.tp;
    p.edp = group({grid[cp], grid[dp]}, {grid[tp], grid[ep]});  // the same experts: Megatron-Core's expert_data_parallel_group
    ep_own = grid[ep], ep_others = {grid[tp], grid[cp], grid[dp]};
  }
  p.ep = group({ep_own}, ep_others);
  // Its ranks in rank 0's rack (`inside` of them, consecutive members) and the rail across racks,
  // when the racks cut the group into equal runs of members.
  if (span > 0 && ep_own.size > 1) {
    int inside = 0;
    if (ep_own.stride >= span) inside = ep_own.stride % span == 0 ? 1 : 0;
    else if (span % ep_own.stride == 0) inside = std::min(ep_own.size, span / ep_own.stride);
    if (inside > 0 && ep_own.size % inside == 0) {
      const Dim local{inside, ep_own.stride}, rail{ep_own.size / inside, inside * ep_own.stride};
      std::vector<Dim> with_rail = ep_others, with_local = ep_others;
      with_rail.push_back(rail), with_local.push_back(local);
      p.ep_local = group({local}, with_rail);
      p.ep_rail = group({rail}, with_local);
      p.ep_racks = rail.size;
    }
  }
  // A pipeline send: rank 0 and its peer one stage on.
  p.pp_pair = group({}, {grid[tp], grid[cp], grid[ep], grid[dp]});
  p.pp_pair.add_own(std::min(e.pp, 2), grid[pp].stride);
  return p;
}

Placement place(const Execution& e, int span) {
  const PlacementShapes s = place_shapes(e, span);
  return {collective::materialize(s.tp),  collective::materialize(s.cp),  collective::materialize(s.ep),
          collective::materialize(s.dp),  collective::materialize(s.edp), collective::materialize(s.etp),
          collective::materialize(s.pp_pair)};
}

}  // namespace rackscope::workload
