#pragma once
// What an input describes: a rack (scale-up domain of chips plus its NICs) and a cluster
// (identical racks joined by a scale-out fabric). The fabric layer turns this into a graph.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "hw/chip.hpp"
#include "hw/economics.hpp"
#include "hw/reliability.hpp"

namespace rackscope::hw {

struct TorusSpec {
  std::vector<int> dims;                  // e.g. {4, 4} or {4, 4, 4}; product = chips per rack
  std::vector<double> link_bandwidth_Bps;  // per dimension, per link, per direction
  std::vector<double> link_latency_s;      // per dimension
};

// One- or two-level switch domain (NVSwitch, NeuronSwitch).
struct SwitchSpec {
  int planes = 1;             // identical parallel switch planes; every chip links to each
  int chips_per_leaf = 0;     // 0: one leaf per plane holds every chip (single level)
  int spines = 0;             // second-level switches per plane (when chips_per_leaf < chips)
  double link_bandwidth_Bps = 0;    // chip <-> leaf, per plane, per direction
  double link_latency_s = 0;
  double uplink_bandwidth_Bps = 0;  // leaf <-> each spine, per direction
  double uplink_latency_s = 0;
  bool in_switch_reduction = false;
  double reduction_bandwidth_Bps = 0;  // switch reduce/multicast throughput per chip port
  double reduction_latency_s = 0;      // one in-switch reduction's fixed latency
  // The runtime's chunking of an in-switch all-reduce (NCCL's NVLS): chunks of at most
  // reduction_chunk_B, shrunk for smaller messages over reduction_channels x ranks concurrent
  // operations, each chunk paying reduction_chunk_overhead_s on top of its bytes (0: none).
  double reduction_chunk_B = 0;
  int reduction_channels = 0;
  double reduction_chunk_overhead_s = 0;
};

struct ExplicitLink {
  std::string a, b;  // "chip:3" or "switch:0"
  double bandwidth_Bps = 0, latency_s = 0;
  long line = 0;
};
struct ExplicitSpec {
  int switches = 0;
  std::vector<ExplicitLink> links;
};

struct NicSpec {
  int count = 0;                 // NICs per rack (0: the rack has no scale-out port)
  double bandwidth_Bps = 0;      // per NIC, per direction
  double host_latency_s = 0;     // chip <-> NIC (PCIe) latency
  // own: a chip uses its own NIC(s); rack: traffic is striped over every NIC of the rack
  // (multi-channel collectives), through a host switch with `host_bandwidth` per chip.
  bool striped = false;
  double host_bandwidth_Bps = 0;
};

struct RackSpec {
  std::string name, file;
  Chip chip;
  int chips = 0;
  std::variant<TorusSpec, SwitchSpec, ExplicitSpec> scale_up;
  NicSpec nics;
  std::optional<RackEconomics> economics;  // from the optional `economics` file
  int hosts = 0;  // servers (host CPUs and boards) in the rack; 0: not stated
};

struct ScaleOutSpec {
  enum class Kind { none, clos, rail } kind = Kind::none;
  int radix = 64;                  // ports per switch
  double oversubscription = 1.0;   // leaf down:up port ratio
  double link_bandwidth_Bps = 0;   // switch <-> switch, per direction
  double hop_latency_s = 0;        // per switch-to-switch or NIC-to-switch hop
  // The most switch levels the folded Clos may use; the builder uses as few as join the racks.
  // Three is the classic leaf-spine-core; hyperscale clusters (500K-1M chips) need four or more.
  int max_levels = 3;
  // The switches reduce (InfiniBand SHARP): all-reduce's cross-rack sum is computed in the
  // network (collective algorithm `in-network`), at up to reduction_bandwidth per NIC port
  // (0: line rate) after a fixed reduction latency.
  bool in_network_reduction = false;
  double reduction_bandwidth_Bps = 0;
  double reduction_latency_s = 0;
};

struct ClusterSpec {
  std::string name, file;
  RackSpec rack;
  int racks = 1;
  ScaleOutSpec scale_out;
  std::optional<ClusterEconomics> economics;  // from the optional `economics` file
  std::optional<Reliability> reliability;  // failure rates and checkpointing, when the file names them
};

}  // namespace rackscope::hw
