#include <algorithm>
#include <set>

#include "collective/algorithms.hpp"

namespace rackscope::collective {

// Dimension-ordered rings on a torus (as TPU and Trainium runtimes do): reduce-scatter along
// each dimension in turn with bidirectional rings on every line of that dimension at once
// (k-1 steps of cur/k, cur shrinking k-fold per dimension), then all-gather in reverse order.
// The cores of one chip form the innermost "dimension" (on-chip), and racks the outermost.
// Needs the group to be every rank of whole torus racks.
AlgorithmCost plan_torus_rings(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads) {
  AlgorithmCost a;
  if (op != Op::allreduce && op != Op::reducescatter && op != Op::allgather)
    return not_applicable("serves all-reduce, reduce-scatter and all-gather");
  const auto& dims = f.torus_dims();
  if (dims.empty()) return not_applicable("the rack is not a torus");
  const int per_chip = f.spec().rack.chip.ranks_per_chip;
  const int cpr = f.chips_per_rack();
  std::set<int> racks;
  for (int e : g.endpoints) racks.insert(f.rack_of(e));
  std::vector<int> expected;
  for (int r : racks)
    for (int e = r * cpr * per_chip; e < (r + 1) * cpr * per_chip; ++e) expected.push_back(e);
  std::vector<int> have = g.endpoints;
  std::sort(have.begin(), have.end());
  if (have != expected) return not_applicable("the group is not every rank of whole racks");

  // Extended dimensions: cores on a chip, torus dims, racks; an endpoint's coordinates in them.
  std::vector<int> ext = {per_chip};
  ext.insert(ext.end(), dims.begin(), dims.end());
  ext.push_back(static_cast<int>(racks.size()));
  const std::vector<int> rack_list(racks.begin(), racks.end());
  const int n = g.size();
  auto endpoint_at = [&](const std::vector<int>& coord) {
    int local = 0, stride = 1;
    for (size_t d = 0; d < dims.size(); ++d) local += coord[d + 1] * stride, stride *= dims[d];
    return (rack_list[coord.back()] * cpr + local) * per_chip + coord[0];
  };
  std::vector<std::vector<int>> coords(n);
  for (int i = 0; i < n; ++i) {
    const int e = have[i];
    const int chip = e / per_chip;
    std::vector<int> c = {e % per_chip};
    int local = chip % cpr;
    for (int k : dims) c.push_back(local % k), local /= k;
    c.push_back(static_cast<int>(std::lower_bound(rack_list.begin(), rack_list.end(), chip / cpr) - rack_list.begin()));
    coords[i] = c;
  }
  std::vector<PhaseCost> rs;
  double cur = 1.0;
  for (size_t d = 0; d < ext.size(); ++d) {
    const int k = ext[d];
    if (k < 2) continue;
    std::vector<Flow> flows;
    for (int r = 0; r < n; ++r) {
      auto next = coords[r], prev = coords[r];
      next[d] = (next[d] + 1) % k;
      prev[d] = (prev[d] + k - 1) % k;
      flows.push_back({endpoint_at(coords[r]), endpoint_at(next), cur / k / 2});
      flows.push_back({endpoint_at(coords[r]), endpoint_at(prev), cur / k / 2});
    }
    rs.push_back(price_phase(f, g, flows, k - 1.0, loads));
    cur /= k;
  }
  if (op != Op::allgather) a.phases = rs;
  if (op != Op::reducescatter) a.phases.insert(a.phases.end(), rs.rbegin(), rs.rend());
  return a;
}

}  // namespace rackscope::collective
