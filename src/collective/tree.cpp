#include <cmath>

#include "collective/algorithms.hpp"

namespace rackscope::collective {

// Double binary tree (Sanders, Speck & Traff 2009; NCCL 2.4): two binary trees over the ring
// order, the second mirrored so that most leaves of one are inner nodes of the other; each
// carries half the data. All-reduce reduces up and broadcasts down, pipelined in chunks: in
// steady state every tree edge carries a chunk both ways, over 2 * height stages.
AlgorithmCost plan_double_binary_tree(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads) {
  AlgorithmCost a;
  if (op != Op::allreduce && op != Op::broadcast) return not_applicable("trees serve all-reduce and broadcast");
  const int n = g.size();
  const std::vector<int> order = f.ring_order(g.endpoints);
  std::vector<Flow> flows;
  for (int tree = 0; tree < 2; ++tree) {
    auto at = [&](int heap_index) { return order[tree == 0 ? heap_index : n - 1 - heap_index]; };
    for (int i = 1; i < n; ++i) {
      const int child = at(i), parent = at((i - 1) / 2);
      flows.push_back({parent, child, 0.5});
      if (op == Op::allreduce) flows.push_back({child, parent, 0.5});
    }
  }
  const int height = static_cast<int>(std::floor(std::log2(n)));
  a.phases.push_back(price_phase(f, g, flows, 1, loads));
  a.pipeline_stages = (op == Op::allreduce ? 2 : 1) * height;
  return a;
}

}  // namespace rackscope::collective
