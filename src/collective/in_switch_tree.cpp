#include "collective/algorithms.hpp"

namespace rackscope::collective {

// NCCL's NVLS tree (NCCL_ALGO_NVLSTree, 2.18+; what it picks for large all-reduces across
// NVSwitch nodes): inside every rack the switch reduces (NVLS), each of the rack's m ranks owning
// 1/m of the message; each rank then runs the cross-rack part of its 1/m over its own NIC as a
// double binary tree among the ranks at its position in the other racks (reduce up, broadcast
// down), and the switch multicasts the result back. The tiers run as a pipeline over the
// runtime's network steps in flight: the in-switch phase (each chip link (m+1)/m of the message
// each way, at most the switch's reduction rate) and the tree phase (2 floor(log2 R) network
// stages; per rank at most 2 * 1/m each way, 1/m on two racks) overlap, the slower paid whole.
// NCCL's tuner prices it as intraLat + 2 log2(nNodes) interLat (src/graph/tuning.cc).
AlgorithmCost plan_in_switch_tree(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads) {
  AlgorithmCost a;
  if (op != Op::allreduce) return not_applicable("serves all-reduce");
  if (!f.has_in_switch_reduction()) return not_applicable("no single-level switch with in-switch reduction");
  const RackSplit split = split_by_rack(f, g);
  if (split.racks.empty()) return not_applicable(split.why_not);
  const size_t m = split.racks.front().size();
  if (m < 2) return not_applicable("one rank per rack: nothing for the switch to reduce");
  const int racks = static_cast<int>(split.racks.size());
  const double stages = 2.0 * tree_height(racks);
  std::vector<Flow> tree;
  for (size_t p = 0; p < m; ++p) {
    std::vector<int> rail;
    for (const auto& ranks : split.racks) rail.push_back(ranks[p]);
    // Each of the two trees carries half of the rank's 1/m, cut over the tree's stages.
    for (int t = 0; t < 2; ++t) binary_tree_flows(rail, t, 0.5 / m / stages, true, tree);
  }
  const double share = (m + 1.0) / m;
  PhaseCost in_rack = in_switch_phase(f, g, share, loads);
  set_in_switch_chunks(f, static_cast<int>(m), racks, in_rack);
  a.phases.push_back(in_rack);
  PhaseCost across = price_phase(f, g, tree, stages, loads);
  across.ring_pass = false;  // chunks pipelined through the tree: no ring pass's last slice
  a.phases.push_back(across);
  a.overlapped_phases = true;
  // A chunk is reduced by the switch, climbs and descends the tree (a stage per level each way),
  // and is multicast: NCCL moves it in chunks of its own size (nvls_tree_chunk), not as many as
  // would hide the fill. Each of those stages is taken, per chunk, at its phase's data time over
  // the chunks (for a tree level an upper bound: the levels share the NICs' two directions).
  if (in_rack.chunk_ops > 0) a.stage_phases = {2, static_cast<int>(stages)};
  return a;
}

}  // namespace rackscope::collective
