#include "collective/algorithms.hpp"

namespace rackscope::collective {

// Recursive halving-doubling (Rabenseifner 2004; Thakur et al. 2005): reduce-scatter in log2(n)
// steps, step j exchanging S/2^(j+1) with the partner at distance 2^j in ring order (nearest
// partner moves the most data); all-gather retraces the steps in reverse. Needs n = 2^k.
AlgorithmCost plan_halving_doubling(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads) {
  AlgorithmCost a;
  const int n = g.size();
  if ((n & (n - 1)) != 0) return not_applicable("needs a power-of-two number of ranks");
  if (op != Op::allreduce && op != Op::reducescatter && op != Op::allgather)
    return not_applicable("serves all-reduce, reduce-scatter and all-gather");
  const std::vector<int> order = f.ring_order(g.endpoints);
  std::vector<PhaseCost> halving;
  double bytes = 0.5;
  for (int distance = 1; distance < n; distance *= 2, bytes /= 2) {
    std::vector<Flow> flows;
    for (int i = 0; i < n; ++i) flows.push_back({order[i], order[i ^ distance], bytes});
    halving.push_back(price_phase(f, g, flows, 1, loads));
  }
  if (op != Op::allgather) a.phases = halving;
  if (op != Op::reducescatter) a.phases.insert(a.phases.end(), halving.rbegin(), halving.rend());
  return a;
}

}  // namespace rackscope::collective
