#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "hw/package_parts.hpp"

namespace rackscope::hw {

PackageSheet derive_package(const PackagedChipSpec& spec) {
  PackageSheet s;
  const Packaging& pkg = spec.packaging;
  s.packaging = pkg.name;
  for (const DieSpec& d : spec.dies) {
    s.dies += d.count;
    s.cores += d.count * d.cores;
    s.silicon_area_m2 += d.count * d.area_m2;
    for (std::size_t p = 0; p < precision_count; ++p) s.flops.value[p] += d.count * d.flops.value[p];
    s.sram_B += d.count * d.sram_B;
    s.compute_W += d.count * d.power_W;
  }
  for (const HbmStacks& h : spec.hbm) {
    s.hbm_stacks += h.stacks;
    s.silicon_area_m2 += h.stacks * h.generation.footprint_m2;
    s.hbm_capacity_B += h.stacks * h.height * h.die_capacity_B;
    // JEDEC HBM: stack bandwidth = pins x rate per pin / 8 bits per byte.
    const double stack_Bps = h.generation.bus_width_bits * h.pin_rate_bps / 8;
    s.hbm_bandwidth_Bps += h.stacks * stack_Bps;
    // I/O + DRAM energy per bit moved, at full bandwidth.
    s.hbm_W += h.stacks * stack_Bps * 8 * h.generation.energy_J_per_bit;
  }
  s.package_area_m2 = s.silicon_area_m2 * pkg.placement_overhead;
  // Bridge packages: one bridge per die-to-die link and per HBM stack (each stack sits next to
  // the die it serves), as in EMIB and CoWoS-L LSI layouts.
  if (pkg.bridges) s.bridges = static_cast<int>(spec.links.size()) + s.hbm_stacks;

  // Lanes per mm of edge grow as 1/pitch^2 (UCIe-A areal density: x3.24 from 45 to 25 um).
  const double pitch_gain = std::pow(pkg.d2d_reference_pitch_m / spec.bump_pitch_m, 2);
  s.d2d_bandwidth_Bps = spec.links.empty() ? 0 : std::numeric_limits<double>::max();
  for (const DieLinkSpec& l : spec.links) {
    const double bw = l.edge_m * pkg.d2d_Bps_per_m * pitch_gain;
    s.link_bandwidth_Bps.push_back(bw);
    s.d2d_bandwidth_Bps = std::min(s.d2d_bandwidth_Bps, bw);
    // PHY + adapter latency, plus serialising one flit before the far side can use it.
    s.link_latency_s.push_back(pkg.d2d_latency_s + pkg.d2d_flit_B / bw);
    s.d2d_latency_s = std::max(s.d2d_latency_s, s.link_latency_s.back());
  }
  s.d2d_W = spec.d2d_traffic_Bps * 8 * pkg.d2d_energy_J_per_bit;
  s.power_W = s.compute_W + s.hbm_W + s.d2d_W;

  check_fit(spec, s);
  price(spec, s);
  return s;
}

}  // namespace rackscope::hw
