#pragma once
// An algorithm is planned once per (fabric, group, op) as phases whose cost is linear in the
// message size: a phase of unit size is routed on the fabric, giving seconds per byte on its
// busiest link and the latency of its slowest route. Pricing any size is then arithmetic,
// which is what keeps sweeps at microseconds per configuration.
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "collective/op.hpp"
#include "fabric/fabric.hpp"

namespace rackscope::collective {

// The ranks taking part, each on a fabric endpoint (a core; several cores share a chip).
struct Group {
  std::vector<int> endpoints;  // endpoint of rank i
  // Sibling groups running the same collective at the same time (the other TP groups of a
  // data-parallel step, the DP groups of a stage's other TP ranks), as offsets: sibling k is
  // endpoints + concurrent[k]. Their traffic loads the links this group's routes share (a chip's
  // ports, a rack's NICs); only this group's routes set the latency. Empty: the group runs alone.
  std::vector<int> concurrent;
  int size() const { return static_cast<int>(endpoints.size()); }
};
// Ranks 0..n-1 of a cluster on endpoints 0..n-1 (`ranks_per_chip` consecutive cores per chip).
Group first_ranks(const fabric::Fabric& f, int n);

struct Flow {
  int src = 0, dst = 0;  // endpoints
  double bytes = 0;      // per byte of message
};

struct PhaseCost {
  double seconds_per_byte = 0;  // busiest link's time per byte of message, at line rate
  double latency_s = 0;         // slowest route's link latency
  double repeat = 1;            // identical steps
  // A throughput limit that protocols do not scale (a switch's reduction engine): the phase
  // moves bytes at max(seconds_per_byte / efficiency, floor_seconds_per_byte).
  double floor_seconds_per_byte = 0;
  // Chunked reduction (NCCL's NVLS all-reduce): each chunk adds chunk_overhead_s to the floor's
  // time, chunks of at most chunk_max_B shrunk for small messages over chunk_ops concurrent
  // operations (timing.cpp nvls_chunk). 0: no chunk cost.
  double chunk_overhead_s = 0, chunk_max_B = 0, chunk_ops = 0;
  bool chunk_tree = false;  // NCCL's NVLS-tree rule (timing.cpp nvls_tree_chunk) instead of NVLS's
  int chunk_nodes = 1;      // NVLS tree: the nodes (racks) it spans
  // Per tier, for runtimes whose protocols behave differently over the scale-out network: the
  // busiest link among the network's (NIC and scale-out links) and among the others, and the
  // slowest route of the flows that stay in a rack and of those that cross racks.
  bool network = false;  // some flow crosses racks
  double local_seconds_per_byte = 0, network_seconds_per_byte = 0;
  double local_latency_s = 0, network_latency_s = 0;
  // Of a network phase's steps, the share whose latency is the network's. Concurrent flows
  // (mesh, halving-doubling) wait for the slowest: 1. A pipelined ring passes each piece along
  // its edges in turn, so only its share of cross-rack edges pays the network latency (NCCL's
  // tuner: 2 nNodes of the 2(n-1) all-reduce steps are inter-node).
  double network_step_share = 1;
  // A pass around a ring: under a protocol with a pipeline bubble (NCCL Simple) the pass's last
  // slice is not overlapped (timing.cpp). Chunks pipelined through a tree make no such pass.
  bool ring_pass = true;
};

struct AlgorithmCost {
  std::string name;  // set from the registry (algorithms.hpp) by the Planner
  bool applicable = true;
  std::string why_not;
  std::vector<PhaseCost> phases;
  // Pipelined algorithms (trees, chains): one phase is the step of one chunk; the message is
  // cut into k chunks and takes (stages + k - 1) steps, with k chosen to minimise time.
  int pipeline_stages = 0;
  int network_pipeline_stages = 0;  // of those, the stages that cross the network
  // Phases that run as a pipeline over the runtime's network steps in flight (hierarchical: the
  // intra-rack reduce-scatter of one piece while the previous crosses racks): the busiest phase's
  // data time is paid whole, the others' only for one of the pieces in flight.
  bool overlapped_phases = false;
  // Overlapped phases cut into the runtime's own fixed chunks (NCCL's NVLS tree: the first phase's
  // chunk rule, timing.cpp nvls_tree_chunk): each chunk passes these stages in turn, each phase
  // one stage per `stage_phases` entry, so a message of few chunks per channel pays the pipeline's
  // fill instead of hiding all but the busiest phase. Empty: phases hidden over the steps in flight.
  std::vector<int> stage_phases;
  double min_chunk_bytes = 0;
};

// The per-link loads a phase is routed into, and the phases already priced: a phase's price
// depends only on its flows and its group's siblings (not on its repeat count), and algorithms
// price the same phase for several ops (a ring's reduce-scatter and all-gather, the hierarchical
// algorithm's intra- and inter-rack phases), so each distinct phase is routed once per planner.
class PhaseScratch : public fabric::PhaseLoads {
 public:
  using fabric::PhaseLoads::PhaseLoads;
  // The price of (flows, siblings) if already known (repeat as priced then), else null.
  const PhaseCost* find(const std::vector<Flow>& flows, const std::vector<int>& concurrent, uint64_t& hash) const;
  void remember(uint64_t hash, const std::vector<Flow>& flows, const std::vector<int>& concurrent, const PhaseCost& cost);
  static constexpr size_t max_remembered = size_t{1} << 16;  // flows + siblings of a phase kept

 private:
  struct Priced {
    std::vector<Flow> flows;
    std::vector<int> concurrent;
    PhaseCost cost;
  };
  std::unordered_map<uint64_t, std::vector<Priced>> priced_;
};

// Routes the flows of one phase of `g` on the fabric, and the same flows of its concurrent
// siblings, and prices the phase by its busiest link (once per distinct phase: PhaseScratch).
PhaseCost price_phase(const fabric::Fabric& f, const Group& g, const std::vector<Flow>& flows, double repeat,
                      PhaseScratch& loads);

AlgorithmCost not_applicable(std::string why);

}  // namespace rackscope::collective
