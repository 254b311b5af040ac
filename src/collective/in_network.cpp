#include "collective/algorithms.hpp"

namespace rackscope::collective {

// In-network reduction over the scale-out fabric (InfiniBand SHARP, NCCL's CollNet): ranks
// grouped by rack as in the hierarchical algorithm, a ring reduce-scatter inside every rack (m
// ranks: m-1 steps of S/m), then each rank hands its S/m to the switches, which reduce it with
// the other racks' and send the sum back: its NIC carries S/m out and S/m in once, instead of a
// ring's 2(R-1)/R * S/m each way over 2(R-1) steps. A ring all-gather inside every rack ends it.
// The cross-rack phase is routed as one exchange between neighbouring racks (what the NICs
// carry; the aggregation tree's own links carry no more than that on a non-blocking Clos), plus
// the switches' reduction latency, and no faster than their reduction bandwidth per port.
AlgorithmCost plan_in_network(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads) {
  AlgorithmCost a;
  if (op != Op::allreduce) return not_applicable("serves all-reduce");
  const hw::ScaleOutSpec& so = f.spec().scale_out;
  if (!so.in_network_reduction) return not_applicable("the scale-out fabric has no in-network reduction");
  RackSplit split = split_by_rack(f, g);
  if (split.racks.empty()) return not_applicable(split.why_not);
  std::vector<std::vector<int>>& local = split.racks;  // per rack, its chips (in ring order below)
  const size_t m = local.front().size();
  const std::vector<Flow> intra = rack_ring_flows(f, local);
  std::vector<Flow> inter;  // each rank's piece out to the network and the sum back in, once
  for (size_t r = 0; r < local.size(); ++r)
    for (size_t p = 0; p < m; ++p) inter.push_back({local[r][p], local[(r + 1) % local.size()][p], 1.0 / m});
  const PhaseCost intra_cost = m > 1 ? price_phase(f, g, intra, m - 1.0, loads) : PhaseCost{0, 0, 0};
  PhaseCost reduce = price_phase(f, g, inter, 1, loads);
  reduce.latency_s += so.reduction_latency_s;
  reduce.network_latency_s += so.reduction_latency_s;
  if (so.reduction_bandwidth_Bps > 0) reduce.floor_seconds_per_byte = 1.0 / (m * so.reduction_bandwidth_Bps);
  a.overlapped_phases = true;
  a.phases = {intra_cost, reduce, intra_cost};
  return a;
}

}  // namespace rackscope::collective
