#include "collective/algorithms.hpp"

namespace rackscope::collective {

// All-to-all through the rail peer, as NCCL does across nodes with PXN (NCCL 2.12+, on by
// default: a send to a GPU on another node first moves over NVLink to the local GPU on the
// destination's rail, whose NIC then sends it; NVIDIA "Doubling all2all Performance with NVIDIA
// Collective Communication Library 2.12", 2022) and DeepEP's internode kernels (the same two
// hops, network first). Ranks are grouped by rack, rail i being the i-th rank of every rack. Of
// a rank's message S (S/n for each of the n = m x R ranks): first, inside the rack, to each
// local peer j the pieces for rank j of every rack (R S/n, its own rack's delivered directly);
// then, rail to rail, each rank sends to its counterpart in every other rack the pieces its m
// rack-mates hold for it (m S/n = S/R). Every byte bound for another rack crosses the network
// once, on its destination's rail, and no flow changes rail in the network.
AlgorithmCost plan_rail_alltoall(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads) {
  AlgorithmCost a;
  if (op != Op::alltoall) return not_applicable("serves all-to-all");
  const RackSplit split = split_by_rack(f, g);
  if (split.racks.empty()) return not_applicable(split.why_not);
  const std::vector<std::vector<int>>& by_rack = split.racks;
  const int racks = static_cast<int>(by_rack.size());
  const size_t m = by_rack.front().size();
  const double n = static_cast<double>(g.size());
  std::vector<Flow> intra, inter;
  for (size_t rack = 0; rack < by_rack.size(); ++rack) {
    const std::vector<int>& ranks = by_rack[rack];
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < m; ++j)
        if (i != j) intra.push_back({ranks[i], ranks[j], racks / n});
    for (size_t other = 0; other < by_rack.size(); ++other)
      if (other != rack)
        for (size_t j = 0; j < m; ++j) inter.push_back({ranks[j], by_rack[other][j], m / n});
  }
  if (m > 1) a.phases.push_back(price_phase(f, g, intra, 1, loads));
  a.phases.push_back(price_phase(f, g, inter, 1, loads));
  // The proxy forwards one chunk over the network while the next arrives over NVLink.
  a.overlapped_phases = true;
  return a;
}

}  // namespace rackscope::collective
