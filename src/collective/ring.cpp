#include <algorithm>

#include "collective/algorithms.hpp"

namespace rackscope::collective {

std::vector<Flow> ring_flows(const std::vector<int>& order, double bytes, bool bidirectional, bool closed) {
  const int n = static_cast<int>(order.size());
  std::vector<Flow> flows;
  const double share = bidirectional ? bytes / 2 : bytes;
  for (int i = 0; i < (closed ? n : n - 1); ++i) {
    flows.push_back({order[i], order[(i + 1) % n], share});
    if (bidirectional) flows.push_back({order[(i + 1) % n], order[i], share});
  }
  return flows;
}

// Multi-channel rings (NCCL builds one ring per channel, each leaving a node through another
// NIC): when a ring spans racks whose chips use their own NICs, one ring per NIC is laid out,
// each rotated inside every rack so that a different chip carries the rack-to-rack hop; each
// ring moves 1/channels of the data. Racks striping over their NICs need no such rotation.
std::vector<Flow> channel_ring_flows(const fabric::Fabric& f, const std::vector<int>& order, double bytes, bool bidirectional) {
  std::vector<std::vector<int>> segments;  // the order cut at rack boundaries
  for (int e : order) {
    if (segments.empty() || f.rack_of(segments.back().front()) != f.rack_of(e)) segments.push_back({});
    segments.back().push_back(e);
  }
  const auto& nics = f.spec().rack.nics;
  int channels = 1;
  if (segments.size() > 1 && !nics.striped && nics.count > 0) {
    channels = nics.count;
    for (const auto& seg : segments) channels = std::min<int>(channels, static_cast<int>(seg.size()));
  }
  if (channels == 1) return ring_flows(order, bytes, bidirectional);
  std::vector<Flow> flows;
  for (int c = 0; c < channels; ++c) {
    std::vector<int> rotated;
    for (const auto& seg : segments) {
      const size_t shift = c * seg.size() / channels;
      rotated.insert(rotated.end(), seg.begin() + shift, seg.end());
      rotated.insert(rotated.end(), seg.begin(), seg.begin() + shift);
    }
    auto part = ring_flows(rotated, bytes / channels, bidirectional);
    flows.insert(flows.end(), part.begin(), part.end());
  }
  return flows;
}

// Ring (Patarasuk & Yuan 2009): reduce-scatter and all-gather each take n-1 steps in which every
// rank passes S/n to its successor; all-reduce is both (2(n-1) steps). A bidirectional ring
// sends half of every piece each way. Broadcast is a chain pipelined in chunks; send/recv is
// every rank sending S to its successor at once.
AlgorithmCost plan_ring(const fabric::Fabric& f, const Group& g, Op op, bool bidirectional, PhaseScratch& loads) {
  AlgorithmCost a;
  const int n = g.size();
  const std::vector<int> order = f.ring_order(g.endpoints);
  const double piece = 1.0 / n;
  // A piece crosses the ring's edges one step after another: only the cross-rack ones pay the
  // network's latency (NCCL's tuner counts its inter-node steps apart, tuning.cc).
  auto ring_phase = [&](double steps) {
    const std::vector<Flow> flows = channel_ring_flows(f, order, piece, bidirectional);
    PhaseCost ph = price_phase(f, g, flows, steps, loads);
    double crossing = 0;
    for (const Flow& fl : flows) crossing += f.rack_of(fl.src) != f.rack_of(fl.dst);
    ph.network_step_share = flows.empty() ? 1.0 : crossing / flows.size();
    return ph;
  };
  switch (op) {
    case Op::allreduce:
      a.phases.push_back(ring_phase(2.0 * (n - 1)));
      break;
    case Op::reducescatter:
    case Op::allgather:
      a.phases.push_back(ring_phase(n - 1.0));
      break;
    case Op::broadcast:
      if (bidirectional) return not_applicable("broadcast uses the one-way chain (ring)");
      a.phases.push_back(price_phase(f, g, ring_flows(order, 1.0, false, false), 1, loads));
      a.pipeline_stages = n - 1;
      for (int i = 0; i + 1 < n; ++i) a.network_pipeline_stages += f.rack_of(order[i]) != f.rack_of(order[i + 1]);
      break;
    case Op::sendrecv:
      if (bidirectional) return not_applicable("send/recv is one-way");
      a.phases.push_back(price_phase(f, g, ring_flows(order, 1.0, false), 1, loads));
      break;
    case Op::alltoall: return not_applicable("all-to-all is direct (mesh)");
  }
  return a;
}

}  // namespace rackscope::collective
