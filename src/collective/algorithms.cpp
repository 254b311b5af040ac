#include "collective/algorithms.hpp"

namespace rackscope::collective {

const std::vector<Algorithm>& algorithms() {
  static const std::vector<Algorithm> all = {
      {"ring", "ring: n-1 steps of S/n to the next rank (a chain for broadcast)",
       [](const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& l) { return plan_ring(f, g, op, false, l); }},
      {"bidir-ring", "ring sending half of every piece each way",
       [](const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& l) { return plan_ring(f, g, op, true, l); }},
      {"tree", "double binary tree, pipelined in chunks (NCCL 2.4)", plan_double_binary_tree},
      {"rhd", "recursive halving-doubling, log2(n) steps (n = 2^k)", plan_halving_doubling},
      {"mesh", "direct: every rank to every other at once", plan_mesh, mesh_floor},
      {"hierarchical", "ring inside every rack, then across racks (2+ racks)", plan_hierarchical},
      {"torus", "dimension-ordered bidirectional rings on whole torus racks", plan_torus_rings},
      {"multi-ring", "rings over disjoint direct links, both ways (NCCL ring search, Neuron multi-ring)", plan_multi_ring},
      {"in-switch", "in-switch reduction (NVLink SHARP / NVLS), all-reduce", plan_in_switch},
      {"in-switch-tree", "in-switch reduction inside every rack, a double binary tree across racks on each rail (NCCL NVLS tree), all-reduce",
       plan_in_switch_tree},
      {"in-network", "ring inside every rack, the cross-rack sum in the scale-out switches (SHARP), all-reduce", plan_in_network},
      {"rail-alltoall", "all-to-all through the rail peer: inside the rack, then rail to rail across racks (NCCL PXN, DeepEP)",
       plan_rail_alltoall},
  };
  return all;
}

const std::vector<std::string>& algorithm_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Algorithm& a : algorithms()) out.push_back(a.name);
    return out;
  }();
  return names;
}

}  // namespace rackscope::collective
