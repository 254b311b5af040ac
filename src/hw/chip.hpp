#pragma once
// A chip as the rest of the model sees it: totals (compute, memory) plus how its collective
// runtime behaves. The packaging model (dies + HBM on CoWoS/EMIB) will derive these totals.
#include <string>
#include <vector>

namespace rackscope::hw {

// One transfer protocol of the collective runtime (NCCL's LL / LL128 / Simple; Neuron's DMA
// rings). `auto` tries each and keeps the fastest, as NCCL's tuner does.
struct Protocol {
  std::string name;
  double bandwidth_efficiency = 1.0;  // fraction of link line rate the protocol delivers
  double step_latency_s = 0.0;        // software/synchronisation cost of one algorithm step
  double max_bytes = 0.0;             // protocol not used above this message size (0: no limit)
};

struct CollectiveRuntime {
  double launch_overhead_s = 0.0;  // fixed cost of one collective call
  std::vector<Protocol> protocols;
  // In-switch reduction (NVLS / SHARP-like) efficiency of the switch's reduce-and-multicast path.
  double in_switch_efficiency = 1.0;
};

struct Chip {
  std::string name;
  std::string file;
  int ranks_per_chip = 1;  // NeuronCores (or logical cores / GPUs) that each run one rank
  double bf16_flops = 0, fp8_flops = 0, fp32_flops = 0;
  double hbm_capacity_B = 0, hbm_bandwidth_Bps = 0;
  // Ranks on the same chip exchange data through on-chip memory.
  double local_bandwidth_Bps = 0, local_latency_s = 0;
  CollectiveRuntime collectives;
};

}  // namespace rackscope::hw
