#pragma once
// The parts of a cluster that cost money and draw power, counted from its fabric graph (not
// from the spec): scale-up switches and links per rack, NICs, and the scale-out Clos the fabric
// builder made, switches per level and links per pair of levels.
#include <string>
#include <vector>

#include "fabric/fabric.hpp"

namespace rackscope::econ {

struct FabricParts {
  int racks = 0, chips_per_rack = 0;
  int scale_up_switches_per_rack = 0;  // switches with a scale-up link (NVSwitch, NeuronSwitch)
  int scale_up_links_per_rack = 0;     // physical scale-up links (chip-switch, chip-chip, switch-switch)
  int nics_per_rack = 0;
  int host_switches = 0;  // PCIe host switches of striped racks: part of the hosts, not priced apart
  // Scale-out switches by level: [0] leaves (joined to NICs), [1] spines, [2] cores.
  std::vector<int> scale_out_switches;
  int nic_links = 0;  // NIC <-> leaf
  // Switch <-> switch links by the lower level they join: [0] leaf-spine, [1] spine-core.
  std::vector<int> switch_links;
};

FabricParts count_parts(const fabric::Fabric& f);
// Level `level` (0-based) of a Clos with `levels` switch levels: "leaf", "spine", then
// "level-3" ... below the top, "core" at the top of three or more.
std::string scale_out_level_name(size_t level, size_t levels);

}  // namespace rackscope::econ
