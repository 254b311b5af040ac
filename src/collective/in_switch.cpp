#include <set>

#include "collective/algorithms.hpp"

namespace rackscope::collective {

// In-switch reduction (NVLink SHARP / NVLS): every rank pushes its buffer into the switch, which
// reduces and multicasts the result back, so each chip link carries S up and S down once
// (instead of 2(n-1)/n * S each way for a ring). Runs at the switch's reduction efficiency.
AlgorithmCost plan_in_switch(const fabric::Fabric& f, const Group& g, Op op, fabric::PhaseLoads& loads) {
  AlgorithmCost a;
  a.name = "in-switch";
  if (op != Op::allreduce) return not_applicable(a.name, "serves all-reduce");
  if (!f.has_in_switch_reduction()) return not_applicable(a.name, "no single-level switch with in-switch reduction");
  std::set<int> racks;
  for (int c : g.chips) racks.insert(f.rack_of(c));
  if (racks.size() != 1) return not_applicable(a.name, "the group spans more than one switch domain");
  PhaseCost cost;
  for (int chip : g.chips) {
    const double up = f.route_to_switch(chip, 1.0, true, loads);
    const double down = f.route_to_switch(chip, 1.0, false, loads);
    cost.latency_s = std::max(cost.latency_s, up + down);
  }
  cost.seconds_per_byte = f.max_link_time(loads) / f.spec().rack.chip.collectives.in_switch_efficiency;
  loads.clear();
  a.phases.push_back(cost);
  return a;
}

}  // namespace rackscope::collective
