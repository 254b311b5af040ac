#pragma once
// Memory one rank holds: weights, gradients and optimizer states of its share of its stage
// (split by TP, EP and, per ZeRO stage, DP) and the activations kept for backward.
#include <utility>

#include "workload/execution.hpp"
#include "workload/model.hpp"

namespace rackscope::workload {

// Mixed-precision training (Micikevicius et al. 2018; Rajbhandari et al. 2020): 16-bit weights,
// fp32 gradients, fp32 master weights + Adam m and v = 2 + 4 + 12 = 18 bytes per parameter.
struct StateBytes {
  double weights = 2, gradients = 4, optimizer = 12;
  // HBM traffic of one Adam update per parameter: read the fp32 master, m, v and gradient, write
  // back master, m and v and the 16-bit weight: 2 * 12 + 4 + 2 = 30 bytes.
  double adam_update_traffic() const { return 2 * optimizer + gradients + weights; }
};

struct MemoryUse {
  double weights_B = 0, gradients_B = 0, optimizer_B = 0, activations_B = 0;
  // Communication buffers: the sequence-parallel all-gather output, ZeRO-3's gathered layers
  // and their unsharded gradients, the pipeline's send and receive slots.
  double buffers_B = 0;
  double params = 0;  // parameters the rank holds before ZeRO sharding
  double layer_params = 0;  // of which in transformer layers (not embeddings or output head)
  double total() const { return weights_B + gradients_B + optimizer_B + activations_B + buffers_B; }
};

// Layers [first, last) of pipeline stage `stage`: an even split, the first L % pp stages taking
// one layer more (as Megatron's uneven split does when pp does not divide L).
std::pair<int, int> stage_layers(const ModelSpec& m, const Execution& e, int stage);

// Parameters of pipeline stage `stage` held by one rank (TP-split; experts also EP-split);
// without `embeddings`, those of its transformer layers only.
double stage_params_per_rank(const ModelSpec& m, const Execution& e, int stage, bool embeddings = true);
// The rank's memory on the stage that needs most (the first stage keeps the most micro-batches).
MemoryUse memory_per_rank(const ModelSpec& m, const Execution& e, int seq, bool flash, int micro_batches,
                          const StateBytes& b = {});

}  // namespace rackscope::workload
