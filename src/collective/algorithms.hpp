#pragma once
// One planner per algorithm (one file each). Each returns the unit-size phases of `op` for
// `group` on `f`, or an AlgorithmCost marked not applicable with the reason. The registry names
// them: `--algo`, the runtime files' `algorithms` lists and selection rows, and the Planner all
// iterate it, so adding an algorithm is one row here and its planner file.
#include <string>
#include <vector>

#include "collective/plan.hpp"

namespace rackscope::collective {

// A floor under an algorithm's cost found without routing it: its time is at least
// launch + steps * step latency + bytes * seconds_per_byte / bandwidth efficiency.
struct CostFloor {
  double seconds_per_byte = 0;  // summed over phases and their repeats, at line rate
  double steps = 0;             // phases times their repeats
};

struct Algorithm {
  const char* name;
  const char* description;
  AlgorithmCost (*plan)(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads);
  // Where planning is costly (n^2 flows): lets the Planner skip a plan that cannot win. Optional.
  CostFloor (*floor)(const fabric::Fabric& f, const Group& g, Op op) = nullptr;
};
// In the order the Planner tries them: of equally fast choices the earlier one wins.
const std::vector<Algorithm>& algorithms();
const std::vector<std::string>& algorithm_names();

AlgorithmCost plan_ring(const fabric::Fabric& f, const Group& g, Op op, bool bidirectional, PhaseScratch& loads);
AlgorithmCost plan_double_binary_tree(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads);
AlgorithmCost plan_halving_doubling(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads);
AlgorithmCost plan_mesh(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads);
CostFloor mesh_floor(const fabric::Fabric& f, const Group& g, Op op);
AlgorithmCost plan_hierarchical(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads);
AlgorithmCost plan_torus_rings(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads);
AlgorithmCost plan_multi_ring(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads);
AlgorithmCost plan_in_switch(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads);
AlgorithmCost plan_in_switch_tree(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads);
AlgorithmCost plan_rail_alltoall(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads);
AlgorithmCost plan_in_network(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads);

// The group's ranks split by rack (racks in order, each rack's ranks in group order) when it
// spans two or more racks with as many ranks in each, what the algorithms that work rack by rack
// need; otherwise `why_not` says why they do not apply.
struct RackSplit {
  std::vector<std::vector<int>> racks;
  std::string why_not;
};
RackSplit split_by_rack(const fabric::Fabric& f, const Group& g);
// Ring flows of 1/m of the message inside every rack (m ranks each), after putting each rack's
// ranks in ring order (fabric::ring_order); none when m is 1.
std::vector<Flow> rack_ring_flows(const fabric::Fabric& f, std::vector<std::vector<int>>& racks);

// Every rank's link to its rack's switch loaded with `share` of the message each way (the switch
// pulls the operands up and multicasts the sums down), the siblings' too: latency the slowest
// rank's up and down routes plus the switch's reduction latency, the reduction rate a floor.
PhaseCost in_switch_phase(const fabric::Fabric& f, const Group& g, double share, PhaseScratch& loads);
// The runtime's chunking of an in-switch phase (SwitchSpec::reduction_chunk*), NVLS's own rule in
// one rack, the NVLS tree's across `racks` of `ranks_per_rack`.
void set_in_switch_chunks(const fabric::Fabric& f, int ranks_per_rack, int racks, PhaseCost& phase);
// Tree `tree` (0 or 1) of NCCL's double binary tree over `members` (src/graph/trees.cc): flows
// parent -> child of `bytes` each, and child -> parent when `up`.
void binary_tree_flows(const std::vector<int>& members, int tree, double bytes, bool up, std::vector<Flow>& flows);
// floor(log2 n): a double tree's depth over n members as NCCL's tuner counts it (log2i).
int tree_height(int n);

// Ring flows: position i sends `bytes` to position i+1 (and i-1 when bidirectional, each half).
std::vector<Flow> ring_flows(const std::vector<int>& order, double bytes, bool bidirectional, bool closed = true);

}  // namespace rackscope::collective
