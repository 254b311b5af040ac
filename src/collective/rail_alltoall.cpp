#include <map>

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
  std::map<int, std::vector<int>> by_rack;
  for (int e : g.endpoints) by_rack[f.rack_of(e)].push_back(e);
  const int racks = static_cast<int>(by_rack.size());
  if (racks < 2) return not_applicable("the group lies in one rack");
  const size_t m = by_rack.begin()->second.size();
  for (const auto& [rack, ranks] : by_rack)
    if (ranks.size() != m) return not_applicable("racks hold different numbers of ranks");
  const double n = static_cast<double>(g.size());
  std::vector<Flow> intra, inter;
  for (const auto& [rack, ranks] : by_rack) {
    for (size_t i = 0; i < m; ++i)
      for (size_t j = 0; j < m; ++j)
        if (i != j) intra.push_back({ranks[i], ranks[j], racks / n});
    for (const auto& [other, peers] : by_rack)
      if (other != rack)
        for (size_t j = 0; j < m; ++j) inter.push_back({ranks[j], peers[j], m / n});
  }
  if (m > 1) a.phases.push_back(price_phase(f, g, intra, 1, loads));
  a.phases.push_back(price_phase(f, g, inter, 1, loads));
  // The proxy forwards one chunk over the network while the next arrives over NVLink.
  a.overlapped_phases = true;
  return a;
}

}  // namespace rackscope::collective
