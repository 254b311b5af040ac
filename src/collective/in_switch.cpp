#include <set>

#include "collective/algorithms.hpp"

namespace rackscope::collective {

PhaseCost in_switch_phase(const fabric::Fabric& f, const Group& g, double share, PhaseScratch& loads) {
  const auto& sw = std::get<hw::SwitchSpec>(f.spec().rack.scale_up);
  PhaseCost cost;
  for (int e : g.endpoints) {
    const double up = f.route_to_switch(e, share, true, loads);
    const double down = f.route_to_switch(e, share, false, loads);
    cost.latency_s = std::max(cost.latency_s, up + down);
  }
  for (int shift : g.concurrent)
    for (int e : g.endpoints)
      if (e + shift < f.endpoints()) {
        f.route_to_switch(e + shift, share, true, loads);
        f.route_to_switch(e + shift, share, false, loads);
      }
  cost.latency_s += sw.reduction_latency_s;
  cost.seconds_per_byte = f.max_link_time(loads);
  cost.floor_seconds_per_byte = 1.0 / sw.reduction_bandwidth_Bps;
  loads.clear();
  return cost;
}

void set_in_switch_chunks(const fabric::Fabric& f, int ranks_per_rack, int racks, PhaseCost& phase) {
  // NCCL's NVLS works in chunks over channels x ranks concurrent operations (enqueue.cc,
  // calcCollChunking: nvls.nHeads is the node's rank count), each chunk paying a fixed cost beside
  // its bytes: small messages, cut into small chunks, run below the switch's rate.
  const auto& sw = std::get<hw::SwitchSpec>(f.spec().rack.scale_up);
  if (sw.reduction_chunk_overhead_s <= 0) return;
  phase.chunk_overhead_s = sw.reduction_chunk_overhead_s;
  phase.chunk_max_B = sw.reduction_chunk_B;
  phase.chunk_ops = static_cast<double>(sw.reduction_channels) * ranks_per_rack;
  phase.chunk_tree = racks > 1;
  phase.chunk_nodes = racks;
}

// In-switch reduction (NVLink SHARP / NVLS): the switch pulls every rank's operands and reduces
// them (reduce-scatter, S out of each chip), then multicasts each rank's reduced S/n to all
// (all-gather, S/n out and S in); pipelined, each chip link carries (n+1)/n * S each way, and
// the switch's reduction engine caps the rate per port: time = S * max((n+1)/n / B,
// 1 / reduction_bandwidth + chunk overhead / chunk(S)) + reduction latency.
AlgorithmCost plan_in_switch(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads) {
  AlgorithmCost a;
  if (op != Op::allreduce) return not_applicable("serves all-reduce");
  if (!f.has_in_switch_reduction()) return not_applicable("no single-level switch with in-switch reduction");
  std::set<int> racks;
  for (int c : g.endpoints) racks.insert(f.rack_of(c));
  if (racks.size() != 1) return not_applicable("the group spans more than one switch domain");
  const double n = g.size();
  PhaseCost phase = in_switch_phase(f, g, (n + 1) / n, loads);
  set_in_switch_chunks(f, g.size(), 1, phase);
  a.phases.push_back(phase);
  return a;
}

}  // namespace rackscope::collective
