#include "collective/algorithms.hpp"

namespace rackscope::collective {

namespace {
// Above this many ranks a direct exchange is n^2 flows and never the fastest choice; it is not
// planned (Neuron and NCCL use mesh only inside a node).
constexpr int kMaxMeshRanks = 512;
// Nor with so many concurrent siblings that routing every flow would take seconds.
constexpr double kMaxMeshFlows = 1 << 22;
}

// Mesh / direct: every rank sends to every other at once. Reduce-scatter, all-gather and
// all-to-all send S/n to each peer in one step; all-reduce is a direct reduce-scatter then a
// direct all-gather (2 steps: O(1) latency, (n-1)/n * S out of each rank per step); broadcast
// sends S from the root to each.
AlgorithmCost plan_mesh(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads) {
  AlgorithmCost a;
  const int n = g.size();
  if (n > kMaxMeshRanks) return not_applicable("more than 512 ranks");
  if (static_cast<double>(n) * (n - 1) * (1 + g.concurrent.size()) > kMaxMeshFlows)
    return not_applicable("more than 4M flows with its concurrent siblings");
  if (op == Op::sendrecv) return not_applicable("send/recv is point to point");
  std::vector<Flow> flows;
  const double bytes = op == Op::broadcast ? 1.0 : 1.0 / n;
  for (int i = 0; i < n; ++i) {
    if (op == Op::broadcast && i > 0) break;
    for (int j = 0; j < n; ++j)
      if (i != j) flows.push_back({g.endpoints[i], g.endpoints[j], bytes});
  }
  a.phases.push_back(price_phase(f, g, flows, op == Op::allreduce ? 2 : 1, loads));
  return a;
}

}  // namespace rackscope::collective
