#pragma once
// Memory one rank holds: weights, gradients and optimizer states of its share of its stage
// (split by TP, EP and, per ZeRO stage, DP) and the activations kept for backward.
#include <utility>

#include "workload/execution.hpp"
#include "workload/model.hpp"

namespace rackscope::workload {

// Bytes per parameter of the training states. The default is mixed-precision training
// (Micikevicius et al. 2018; Rajbhandari et al. 2020): 16-bit weights, fp32 gradients, fp32 master
// weights + Adam m and v = 2 + 4 + 12 = 18 bytes per parameter; state_bytes() follows the recipe.
struct StateBytes {
  double weights = 2, gradients = 4, optimizer = 12;
  double master = 4;  // the optimizer's master copy, part of `optimizer` (0: the weights are updated in place)
  // HBM traffic of one optimizer step per parameter, kernel by kernel as Megatron-LM's mixed-
  // precision optimizers run it (megatron/optimizer/optimizer.py step(), clip_grads.py):
  //  - the gradient norm for clipping (--clip-grad, default 1.0; NxD clips too): multi_tensor_l2norm
  //    reads every gradient once;
  //  - Adam (apex FusedAdam on the master copy): reads master, m, v and the gradient and writes
  //    master, m and v; without a master it reads and writes the weights in place;
  //  - _copy_main_params_to_model_params (multi_tensor_scale): reads the master, writes the weight.
  // Default 4 + (12 + 4 + 12) + (4 + 2) = 38 bytes; bf16 states without a master 2 + (4 + 2 + 2 +
  // 4 + 2) = 16. (Clipping's own rescale runs only on steps whose norm exceeds the limit: left out.)
  double optimizer_step_traffic() const {
    const double adam = 2 * optimizer + gradients + (master > 0 ? 0 : 2 * weights);
    const double copy_to_weights = master > 0 ? master + weights : 0;
    return gradients + adam + copy_to_weights;
  }
};

// The states of an execution's precision recipe:
// - weights: bf16, or the GEMM format with fp8_params (Transformer Engine's fp8_model_params_init;
//   Megatron-LM --fp8-param-gather gathers them in it too);
// - gradients: the main-gradient buffer in grad_reduce (fp32, or bf16: --grad-reduce-in-bf16);
// - optimizer: Adam m and v in optimizer_states, plus a master copy: fp32 with fp32 states; none
//   with bf16 states on bf16 weights (NeuronX / NeMo-Megatron on Trn1 update the bf16 weights with
//   stochastic rounding); bf16 with bf16 states on 8-bit weights (they cannot be the master).
// ZeRO >= 1 (Megatron's distributed optimizer) shards the optimizer part, master included.
StateBytes state_bytes(const Execution& e);

// The parameters one rank holds and, of them, the routed experts' (EP-split). Megatron-Core
// reduces and shards expert parameters over the expert-data-parallel ranks, param_replicas / ep
// (the ranks holding the same experts: parallel_state's expert_data_parallel_group), the others
// over param_replicas.
struct RankParams {
  double all = 0, experts = 0;
  // Bytes one rank keeps of a state of `bytes_per_param`, sharded by ZeRO or whole.
  double held(const Execution& e, bool sharded, double bytes_per_param) const;
};

struct MemoryUse {
  double weights_B = 0, gradients_B = 0, optimizer_B = 0, activations_B = 0;
  // Communication buffers: the sequence-parallel all-gather output, ZeRO-3's gathered layers
  // and their unsharded gradients, the pipeline's send and receive slots.
  double buffers_B = 0;
  double params = 0;  // parameters the rank holds before ZeRO sharding
  double expert_params = 0;  // of which the routed experts' (sharded over param_replicas / ep)
  double layer_params = 0;  // of which in transformer layers (not embeddings or output head)
  double total() const { return weights_B + gradients_B + optimizer_B + activations_B + buffers_B; }
};

// Layers [first, last) of pipeline stage `stage` in the execution's layout (pipeline_layout.hpp;
// check_structure() refuses a layout with a problem).
std::pair<int, int> stage_layers(const ModelSpec& m, const Execution& e, int stage);

// A sum over a stage's layers, shared by the stages alike: when a stage's layers are all of one
// kind (is_moe_layer() grows with the layer, so the first and last tell), the sum is the same for
// every stage of as many layers of that kind with as many sliding-window layers (to rounding; the
// first such stage's sum is the one kept, so the answer does not depend on the order stages are
// asked in). Stages of an even split are mostly alike, so a loop over stages sums a few, not all.
template <class T>
class StageSums {
 public:
  explicit StageSums(const ModelSpec& m) : m_(m) {}
  template <class Sum>
  T operator()(int first, int last, Sum sum) {
    if (last <= first || is_moe_layer(m_, first) != is_moe_layer(m_, last - 1)) return sum();
    // Stages of as many layers, of one kind, with as many sliding-window layers, sum alike.
    const int64_t windows = window_layers_below(m_, last) - window_layers_below(m_, first);
    const int64_t key = ((2 * int64_t{last - first} + is_moe_layer(m_, first)) << 24) + windows;
    for (int i = 0; i < used_; ++i)
      if (keys_[i] == key) return values_[i];
    const T v = sum();
    if (used_ < slots) keys_[used_] = key, values_[used_] = v, ++used_;
    return v;
  }

 private:
  static constexpr int slots = 4;
  const ModelSpec& m_;
  int64_t keys_[slots] = {};
  T values_[slots] = {};
  int used_ = 0;
};

// Parameters of pipeline stage `stage` held by one rank (TP-split; experts also EP-split);
// without `embeddings`, those of its transformer layers only.
double stage_params_per_rank(const ModelSpec& m, const Execution& e, int stage, bool embeddings = true);
// The parameters of the stage where a rank holds most (stage_params_per_rank over every stage).
RankParams max_stage_params_per_rank(const ModelSpec& m, const Execution& e);
// The rank's memory on the stage that needs most, each stage from its own layers and the
// micro-batches it keeps in flight.
MemoryUse memory_per_rank(const ModelSpec& m, const Execution& e, int seq, bool flash, int micro_batches,
                          const StateBytes& b = {});

}  // namespace rackscope::workload
