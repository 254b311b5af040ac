#pragma once
// Small clusters built directly as specs, for closed-form tests.
#include "collective/select.hpp"
#include "hw/cluster_spec.hpp"

namespace rackscope::test {

inline hw::Chip simple_chip(int ranks_per_chip = 1) {
  hw::Chip c;
  c.name = "test-chip";
  c.ranks_per_chip = ranks_per_chip;
  c.flops[hw::Precision::bf16] = 1e15;
  c.hbm_capacity_B = 1e11;
  c.hbm_bandwidth_Bps = 1e12;
  // Cores far faster than any link, with no latency, so closed forms see only the fabric.
  c.core_bandwidth_Bps = 1e18;
  c.core_latency_s = 0;
  c.collectives.launch_overhead_s = 5e-6;
  c.collectives.protocols = {{"simple", 0.8, 2e-6, 0}};
  // Every algorithm the planner has: the fastest that applies is the automatic choice.
  c.collectives.algorithms = collective::algorithm_names();
  return c;
}

inline hw::ClusterSpec torus_cluster(std::vector<int> dims, double bw = 100e9, double lat = 1e-6) {
  hw::ClusterSpec c;
  c.name = "torus";
  c.rack.name = "torus-rack";
  c.rack.chip = simple_chip();
  int n = 1;
  for (int d : dims) n *= d;
  c.rack.chips = n;
  hw::TorusSpec t;
  t.dims = dims;
  t.link_bandwidth_Bps.assign(dims.size(), bw);
  t.link_latency_s.assign(dims.size(), lat);
  c.rack.scale_up = t;
  return c;
}

inline hw::ClusterSpec switch_cluster(int chips, double bw = 300e9, double lat = 0.7e-6, int planes = 1) {
  hw::ClusterSpec c;
  c.name = "switch";
  c.rack.name = "switch-rack";
  c.rack.chip = simple_chip();
  c.rack.chips = chips;
  hw::SwitchSpec s;
  s.planes = planes;
  s.link_bandwidth_Bps = bw / planes;
  s.link_latency_s = lat;
  c.rack.scale_up = s;
  return c;
}

// Racks of `spec` joined by a folded Clos of `radix`-port switches over `nics`.
inline void join_by_clos(hw::ClusterSpec& spec, hw::NicSpec nics, int radix, double link_Bps, double hop_s) {
  spec.rack.nics = nics;
  spec.scale_out.kind = hw::ScaleOutSpec::Kind::clos;
  spec.scale_out.radix = radix;
  spec.scale_out.link_bandwidth_Bps = link_Bps;
  spec.scale_out.hop_latency_s = hop_s;
}

// Two switch racks of `chips` chips, a NIC per chip (Bn, host latency Lh), one Clos leaf between
// them (switch hop Lo).
inline hw::ClusterSpec two_racks(int chips, double B, double L, double Bn, double Lh, double Lo) {
  hw::ClusterSpec spec = switch_cluster(chips, B, L);
  spec.racks = 2;
  join_by_clos(spec, {chips, Bn, Lh}, 64, 400e9, Lo);
  return spec;
}

}  // namespace rackscope::test
