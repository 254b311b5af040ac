#pragma once
// One planner per algorithm (one file each). Each returns the unit-size phases of `op` for
// `group` on `f`, or an AlgorithmCost marked not applicable with the reason. The registry names
// them: `--algo`, the runtime files' `algorithms` lists and selection rows, and the Planner all
// iterate it, so adding an algorithm is one row here and its planner file.
#include <string>
#include <vector>

#include "collective/plan.hpp"

namespace rackscope::collective {

struct Algorithm {
  const char* name;
  const char* description;
  AlgorithmCost (*plan)(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);
};
// In the order the Planner tries them: of equally fast choices the earlier one wins.
const std::vector<Algorithm>& algorithms();
const std::vector<std::string>& algorithm_names();

AlgorithmCost plan_ring(const fabric::Fabric& f, const Group& g, Op op, bool bidirectional, fabric::PhaseLoads& loads);
AlgorithmCost plan_double_binary_tree(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);
AlgorithmCost plan_halving_doubling(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);
AlgorithmCost plan_mesh(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);
AlgorithmCost plan_hierarchical(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);
AlgorithmCost plan_torus_rings(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);
AlgorithmCost plan_multi_ring(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);
AlgorithmCost plan_in_switch(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads);

// Ring flows: position i sends `bytes` to position i+1 (and i-1 when bidirectional, each half).
std::vector<Flow> ring_flows(const std::vector<int>& order, double bytes, bool bidirectional, bool closed = true);

}  // namespace rackscope::collective
