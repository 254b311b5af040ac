#include "collective/algorithms.hpp"

namespace rackscope::collective {

// Hierarchical (NCCL's tree-of-rings idea; Neuron's intra/inter split): ranks grouped by rack.
// All-reduce = ring reduce-scatter inside every rack (m ranks: m-1 steps of S/m), then a ring
// all-reduce across racks among the ranks holding the same piece (R racks: 2(R-1) steps of
// S/(mR), all m rings at once), then ring all-gather inside every rack. Reduce-scatter and
// all-gather keep their half of the sequence. The tiers overlap as a pipeline over the runtime's
// network steps in flight (timing.cpp).
AlgorithmCost plan_hierarchical(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads) {
  AlgorithmCost a;
  if (op != Op::allreduce && op != Op::reducescatter && op != Op::allgather)
    return not_applicable("serves all-reduce, reduce-scatter and all-gather");
  RackSplit split = split_by_rack(f, g);
  if (split.racks.empty()) return not_applicable(split.why_not);
  std::vector<std::vector<int>>& local = split.racks;  // per rack, its chips (in ring order below)
  const int racks = static_cast<int>(local.size());
  const size_t m = local.front().size();
  const std::vector<Flow> intra = rack_ring_flows(f, local);
  std::vector<Flow> inter;
  for (size_t p = 0; p < m; ++p) {
    std::vector<int> across;
    for (const auto& chips : local) across.push_back(chips[p]);
    auto flows = ring_flows(across, 1.0 / (m * racks), false);
    inter.insert(inter.end(), flows.begin(), flows.end());
  }
  const double r = racks;
  const PhaseCost intra_cost = m > 1 ? price_phase(f, g, intra, m - 1.0, loads) : PhaseCost{0, 0, 0};
  const PhaseCost inter_ar = price_phase(f, g, inter, op == Op::allreduce ? 2 * (r - 1) : r - 1, loads);
  a.overlapped_phases = true;
  if (op == Op::allgather) a.phases = {inter_ar, intra_cost};
  else if (op == Op::reducescatter) a.phases = {intra_cost, inter_ar};
  else a.phases = {intra_cost, inter_ar, intra_cost};
  return a;
}

}  // namespace rackscope::collective
