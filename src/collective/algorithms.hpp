#pragma once
// One planner per algorithm (one file each). Each returns the unit-size phases of `op` for
// `group` on `f`, or an AlgorithmCost marked not applicable with the reason.
#include "collective/plan.hpp"

namespace rackscope::collective {

AlgorithmCost plan_ring(const fabric::Fabric& f, const Group& g, Op op, bool bidirectional, fabric::PhaseLoads& loads);
AlgorithmCost plan_double_binary_tree(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);
AlgorithmCost plan_halving_doubling(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);
AlgorithmCost plan_mesh(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);
AlgorithmCost plan_hierarchical(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);
AlgorithmCost plan_torus_rings(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);
AlgorithmCost plan_in_switch(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);

// Ring flows: position i sends `bytes` to position i+1 (and i-1 when bidirectional, each half).
std::vector<Flow> ring_flows(const std::vector<int>& order, double bytes, bool bidirectional, bool closed = true);

}  // namespace rackscope::collective
