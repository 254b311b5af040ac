#pragma once
// A chip as the rest of the model sees it: totals (compute, memory) plus how its collective
// runtime behaves. A die-built chip (dies + HBM on CoWoS/EMIB, package.hpp) derives these totals.
#include <memory>
#include <string>
#include <vector>

#include "hw/compute_profile.hpp"

#include "hw/package.hpp"
#include "hw/precision.hpp"

namespace rackscope::hw {

// One transfer protocol of the collective runtime (NCCL's LL / LL128 / Simple; Neuron's DMA
// rings). `auto` tries each and keeps the fastest, as NCCL's tuner does.
struct Protocol {
  std::string name;
  double bandwidth_efficiency = 1.0;  // fraction of link line rate the protocol delivers
  double step_latency_s = 0.0;        // software/synchronisation cost of one algorithm step
  // Steps' worth of data not overlapped per pass (NCCL Simple: the last of 2 slices per chunk).
  double pipeline_bubble_steps = 0.0;
  // The same over the scale-out network (NIC and switch links), where the protocol runs through
  // the network transport (NCCL's proxy over IB/RoCE/sockets) rather than GPU loads and stores.
  // Negative: as on the scale-up tier.
  double network_bandwidth_efficiency = -1.0, network_step_latency_s = -1.0;
  // Algorithms of the runtime this protocol does not run (NCCL's NVLS paths are Simple only).
  std::vector<std::string> unsupported_algorithms = {};
  double network_efficiency() const { return network_bandwidth_efficiency < 0 ? bandwidth_efficiency : network_bandwidth_efficiency; }
  double network_step() const { return network_step_latency_s < 0 ? step_latency_s : network_step_latency_s; }
};

// Which algorithm and protocol the runtime's tuner uses, by message size: the first row whose
// scope and size match wins. Real tuners decide with their own constants, so the choice is data.
struct SelectionRow {
  enum class Scope { any, rack, cluster } scope = Scope::any;  // group inside one rack, or across racks
  std::vector<std::string> ops;  // empty: every collective
  double max_bytes = 0;  // 0: no limit
  // The fastest of these (algorithm, protocol) pairs that applies; one of each names a choice.
  std::vector<std::string> algorithms, protocols;
};

struct CollectiveRuntime {
  std::string name, file;
  double launch_overhead_s = 0.0;  // fixed cost of one collective call
  // One-way latency of the network transport between two ranks in different racks (what
  // ib_write_lat or the runtime's own per-hop figure measures); 0: the fabric's link latencies.
  double network_latency_s = 0.0;
  // Steps a rank keeps in flight on each connection (NCCL_STEPS slots, NVLink and network alike):
  // in a pipelined algorithm a chunk need not wait for the previous one's step latency, only for
  // 1/steps of it; across racks a ring's piece moves on as soon as it arrives.
  int network_steps_in_flight = 1;
  // Share of a rank's compute a running collective takes away from kernels it overlaps: NCCL runs
  // as thread blocks on the GPU's SMs (one per channel); Neuron has dedicated collective cores.
  double overlap_compute_share = 0.0;
  // The same for a point-to-point send/receive between racks (pipeline stages, ring attention):
  // NCCL gives each network peer 2 channels, not the collectives' count. Absent: compute_share.
  double overlap_network_p2p_share = 0.0;
  std::vector<Protocol> protocols;
  std::vector<std::string> algorithms;  // what this runtime implements
  std::vector<SelectionRow> selection;  // then, where no row applies: its fastest algorithm
};

struct Chip {
  std::string name;
  std::string file;
  int ranks_per_chip = 1;  // NeuronCores (or logical cores / GPUs) that each run one rank
  // Dense peak FLOP/s by precision: 0 where the chip has no such path (MX on Trn2, A100, H100).
  PrecisionRates flops;
  double hbm_capacity_B = 0, hbm_bandwidth_Bps = 0;
  // Each rank (core) reaches the chip's fabric through its own link: its DMA/collective engine.
  double core_bandwidth_Bps = 0, core_latency_s = 0;
  CollectiveRuntime collectives;
  ComputeProfile compute;  // from the chip's compute_profile file
  // Die-built chips: which compute die runs each rank (empty: one die, no die-to-die link), and
  // the links between dies, per direction.
  struct DieLink {
    int a = 0, b = 0;
    double bandwidth_Bps = 0, latency_s = 0;
  };
  int dies = 1;
  std::vector<int> rank_die;
  std::vector<DieLink> die_links;
  std::shared_ptr<const PackageSheet> package;  // null: totals stated directly
};

}  // namespace rackscope::hw
