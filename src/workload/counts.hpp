#pragma once
// Parameter and FLOP counts of a model, by construction from its shape.
#include "workload/model.hpp"

namespace rackscope::workload {

struct LayerParams {
  double attention = 0;  // Q, K, V, O projections (and MLA's low-rank factors), with biases
  double mlp = 0;        // dense FFN, or every expert + shared experts + router of an MoE layer
  double mlp_active = 0; // what one token uses: top_k experts + shared + router
  double norms = 0;
  double total() const { return attention + mlp + norms; }
};

LayerParams layer_params(const ModelSpec& m, int layer);
// layer_params() of each layer, counted once per kind (layers differ only as dense or MoE):
// the same values, without recounting them for every layer of a loop.
class LayerParamsByKind {
 public:
  explicit LayerParamsByKind(const ModelSpec& m) : m_(m) {}
  const LayerParams& operator()(int layer) {
    const bool moe = is_moe_layer(m_, layer);
    if (!ready_[moe]) kinds_[moe] = layer_params(m_, layer), ready_[moe] = true;
    return kinds_[moe];
  }

 private:
  const ModelSpec& m_;
  LayerParams kinds_[2];
  bool ready_[2] = {false, false};
};
double embedding_params(const ModelSpec& m);  // input embedding (+ learned positions) + separate output head
double total_params(const ModelSpec& m);    // without multi-token prediction (as models are published)
// One multi-token-prediction module's own parameters, all and those a token uses: a layer of the
// last layer's kind, the projection of [norm(h); norm(embedding)] from 2h to h, and those norms.
struct MtpParams {
  double total = 0, active = 0;
};
MtpParams mtp_module_params(const ModelSpec& m);
double active_params(const ModelSpec& m);     // per token (MoE: top_k experts)

// Training FLOPs per token by the usual model-FLOPs convention (Kaplan / Korthikanti):
// 6 N + 12 L h s for a dense model with non-causal attention and no recompute, where N counts
// every parameter including embeddings and h = heads x head_dim. MoE models use active params.
double model_flops_per_token(const ModelSpec& m, int seq);

}  // namespace rackscope::workload
