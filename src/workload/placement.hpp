#pragma once
// Mapping the rank grid onto fabric endpoints: rank r runs on endpoint r, and its coordinate in
// each parallel dimension follows the execution's order (innermost first, default TP, CP, EP,
// DP, PP), so TP groups are consecutive cores and PP stages the farthest apart.
#include <string>
#include <vector>

#include "collective/group_shape.hpp"
#include "collective/plan.hpp"
#include "workload/execution.hpp"

namespace rackscope::workload {

struct Placement {
  // Rank 0's communicator in each dimension (the others are its translates), each with the
  // siblings that run the same collective at the same time: those varying in the other
  // dimensions except PP (stages are at different points of the schedule), whose first rank lies
  // within `span` ranks of rank 0 (its rack: siblings farther away share no rack link with it).
  collective::Group tp, cp, ep, dp, edp, etp, pp_pair;
};

// The same communicators by shape (what evaluate() asks the planner with: no endpoint lists).
struct PlacementShapes {
  collective::GroupShape tp, cp, ep, dp, edp, etp, pp_pair;
  // The EP group cut by racks, when they cut it into equal runs of its members: the members in
  // rank 0's rack and the rail of their counterparts across the `ep_racks` racks (0: not cut
  // evenly; the flex MoE dispatcher then prices the plain all-to-all).
  collective::GroupShape ep_local, ep_rail;
  int ep_racks = 0;
};

// `dp` here is the whole gradient-reduction group: the data-parallel ranks (EP carved out of
// them: ep ranks of the dp) and the context-parallel ranks of each replica (param_replicas());
// `edp` the ranks holding the same experts, which reduce the experts' gradients: dp x cp / ep;
// `etp` an expert's tensor-parallel ranks, over which the dispatcher gathers its rows (the TP
// group itself unless the expert grid is folded: Execution::etp).
// `span`: ranks that share a rack with rank 0 (0: the group alone, no siblings).
PlacementShapes place_shapes(const Execution& e, int span = 0);
Placement place(const Execution& e, int span = 0);  // place_shapes(), laid out

}  // namespace rackscope::workload
