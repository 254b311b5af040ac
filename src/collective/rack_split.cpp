#include <map>

#include "collective/algorithms.hpp"

namespace rackscope::collective {

RackSplit split_by_rack(const fabric::Fabric& f, const Group& g) {
  std::map<int, std::vector<int>> by_rack;
  for (int e : g.endpoints) by_rack[f.rack_of(e)].push_back(e);
  RackSplit out;
  if (by_rack.size() < 2) {
    out.why_not = "the group lies in one rack";
    return out;
  }
  const size_t m = by_rack.begin()->second.size();
  for (auto& [rack, ranks] : by_rack) {
    if (ranks.size() != m) {
      out.racks.clear();
      out.why_not = "racks hold different numbers of ranks";
      return out;
    }
    out.racks.push_back(std::move(ranks));
  }
  return out;
}

std::vector<Flow> rack_ring_flows(const fabric::Fabric& f, std::vector<std::vector<int>>& racks) {
  std::vector<Flow> flows;
  for (auto& ranks : racks) {
    ranks = f.ring_order(ranks);
    if (ranks.size() > 1) {
      auto ring = ring_flows(ranks, 1.0 / static_cast<double>(ranks.size()), false);
      flows.insert(flows.end(), ring.begin(), ring.end());
    }
  }
  return flows;
}

}  // namespace rackscope::collective
