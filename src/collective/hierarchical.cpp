#include <map>

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
  std::map<int, std::vector<int>> by_rack;
  for (int e : g.endpoints) by_rack[f.rack_of(e)].push_back(e);
  const int racks = static_cast<int>(by_rack.size());
  if (racks < 2) return not_applicable("the group lies in one rack");
  const size_t m = by_rack.begin()->second.size();
  for (const auto& [rack, chips] : by_rack)
    if (chips.size() != m) return not_applicable("racks hold different numbers of ranks");

  std::vector<std::vector<int>> local;  // per rack, its chips in ring order
  std::vector<Flow> intra;
  for (auto& [rack, chips] : by_rack) {
    local.push_back(f.ring_order(chips));
    if (m > 1) {
      auto flows = ring_flows(local.back(), 1.0 / m, false);
      intra.insert(intra.end(), flows.begin(), flows.end());
    }
  }
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
