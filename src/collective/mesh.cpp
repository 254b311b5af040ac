#include <algorithm>

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
AlgorithmCost plan_mesh(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads) {
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

namespace rackscope::collective {

// The mesh's cost without routing its n^2 flows (as price_phase would, siblings included): every
// byte a rank sends crosses its core's link, and every byte a chip's ranks send to other racks
// crosses that chip's host links and its rack's NIC uplinks, so the busiest link carries at least
// the largest of those totals over their bandwidth. Lowered by a millionth against the routed
// sums' rounding.
CostFloor mesh_floor(const fabric::Fabric& f, const Group& g, Op op) {
  const int n = g.size(), endpoints = f.endpoints();
  const double bytes = op == Op::broadcast ? 1.0 : 1.0 / n;
  const int senders = op == Op::broadcast ? 1 : n;
  double worst = (n - 1) * bytes / f.spec().rack.chip.core_bandwidth_Bps;
  std::vector<std::pair<int, double>> leaving;  // (chip, bytes to other racks)
  std::vector<int> racks;
  for (size_t k = 0; k <= g.concurrent.size(); ++k) {
    const int shift = k == 0 ? 0 : g.concurrent[k - 1];
    racks.clear();
    for (int e : g.endpoints)
      if (e + shift < endpoints) racks.push_back(f.rack_of(e + shift));
    std::sort(racks.begin(), racks.end());
    for (int i = 0; i < senders; ++i) {
      const int src = g.endpoints[i] + shift;
      if (src >= endpoints) continue;
      const auto [lo, hi] = std::equal_range(racks.begin(), racks.end(), f.rack_of(src));
      const auto elsewhere = static_cast<double>(racks.size() - (hi - lo));
      if (elsewhere > 0) leaving.emplace_back(f.chip_of(src), elsewhere * bytes);
    }
  }
  // Per chip (sorted by chip, so by rack too), then per rack.
  std::sort(leaving.begin(), leaving.end());
  double rack_sum = 0;
  for (size_t i = 0; i < leaving.size();) {
    const int chip = leaving[i].first, rack = f.rack_of_chip(chip);
    double sum = 0;
    for (; i < leaving.size() && leaving[i].first == chip; ++i) sum += leaving[i].second;
    if (const double egress = f.scale_out_egress_Bps(chip); egress > 0) worst = std::max(worst, sum / egress);
    rack_sum += sum;
    if (i == leaving.size() || f.rack_of_chip(leaving[i].first) != rack) {
      if (const double egress = f.rack_egress_Bps(rack); egress > 0) worst = std::max(worst, rack_sum / egress);
      rack_sum = 0;
    }
  }
  const double repeat = op == Op::allreduce ? 2 : 1;
  return {repeat * worst * (1 - 1e-6), repeat};
}

}  // namespace rackscope::collective
