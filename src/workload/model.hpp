#pragma once
// A decoder-only transformer as its model file describes it (dense or MoE; MHA, GQA or MLA).
#include <algorithm>
#include <string>

namespace rackscope::workload {

// swiglu has three FFN matrices (gate, up, down); gelu and squared_relu (Nemotron-4's relu(x)^2)
// two, and an elementwise activation whose backward keeps its input, so they cost alike.
enum class Activation { gelu, swiglu, squared_relu };
enum class Norm { layernorm, rmsnorm };  // layernorm has a bias as well as a scale
enum class Attention { standard, mla };   // MLA: DeepSeek's low-rank latent attention

struct MlaDims {
  int q_lora_rank = 0, kv_lora_rank = 0, qk_nope_dim = 0, qk_rope_dim = 0, v_head_dim = 0;
};

struct MoeSpec {
  int experts = 0;  // routed experts per MoE layer (0: dense model)
  int top_k = 0;
  int expert_ffn = 0;
  int shared_experts = 0;  // always-active experts of the same expert_ffn
  int dense_layers = 0;    // leading layers with a dense FFN of size `ffn`
  // Tokens an expert may take, over its mean share (Megatron-Core's moe_expert_capacity_factor);
  // 0: dropless (Megatron-Core's default). Tokens over capacity are dropped before dispatch.
  double capacity_factor = 0;
  bool pad_to_capacity = false;  // every expert runs (and is sent) exactly its capacity (moe_pad_expert_input_to_capacity)
  // The busiest expert's tokens over the mean in a training batch (1: perfectly balanced); the
  // step waits for the EP rank holding it (workload/moe_dispatch.hpp).
  double load_imbalance = 1;
  // Group-limited routing (DeepSeek-V3's node-limited routing; Megatron-Core's
  // moe_router_num_groups and moe_router_group_topk): the experts in route_groups equal groups,
  // each token first picks route_group_topk groups, then its top_k experts among theirs. 0: none.
  int route_groups = 0, route_group_topk = 0;
};

// Sliding-window attention (Mistral, Gemma, gpt-oss): in every `period` consecutive layers, the
// first period - full_layers let each query see only the last `tokens` positions (itself
// included); the others keep full causal attention. tokens 0: no window anywhere.
struct SlidingWindow {
  int tokens = 0, period = 1, full_layers = 0;
};
struct ModelSpec {
  std::string name, file;
  int layers = 0, hidden = 0, ffn = 0, heads = 0, kv_heads = 0, head_dim = 0, vocab = 0, seq = 0;
  Activation activation = Activation::gelu;
  Norm norm = Norm::layernorm;
  Attention attention = Attention::standard;
  MlaDims mla;
  bool biases = false;            // GPT-style biases on every linear layer
  // Attention-probability and hidden dropout (Megatron GPT): extra kernels and masks. Llama,
  // Mixtral and DeepSeek train without dropout.
  bool dropout = false;
  bool tied_embeddings = false;   // output head shares the input embedding
  bool learned_positions = false; // a learned position embedding of seq x hidden
  MoeSpec moe;
  SlidingWindow sliding_window;
  double published_params = 0;    // the size the model is known by, for checks
  // Multi-token prediction modules after the last layer (DeepSeek-V3 sec. 2.2: one), each a
  // layer of the last layer's kind with its own input projection, sharing the embedding and the
  // output head, on the last pipeline stage; not in published_params.
  int mtp_depth = 0;
};

// A model without a learned position embedding rotates its queries and keys (RoPE, Su et al. 2021),
// as every such shipped model does (Llama 2 and 3, Mixtral, DeepSeek-V3's decoupled RoPE part).
inline bool rotary_positions(const ModelSpec& m) { return !m.learned_positions; }

// The QK^T inner size per head, what an attention kernel's tiles work along: the head dimension,
// or MLA's no-RoPE and RoPE parts of each query and key.
inline int attention_head_dim(const ModelSpec& m) {
  return m.attention == Attention::mla ? m.mla.qk_nope_dim + m.mla.qk_rope_dim : m.head_dim;
}
// Weight matrices of one FFN (or expert): gated (SwiGLU) up, gate and down; else up and down.
inline int ffn_matrices(const ModelSpec& m) { return m.activation == Activation::swiglu ? 3 : 2; }
// Layers with a dense FFN: the leading ones of an MoE model, every layer of a dense one.
inline int dense_ffn_layers(const ModelSpec& m) { return m.moe.experts > 0 ? std::min(m.moe.dense_layers, m.layers) : m.layers; }
// Layer `layer` (0-based) has routed experts: every layer after the leading dense ones.
inline bool is_moe_layer(const ModelSpec& m, int layer) { return m.moe.experts > 0 && layer >= m.moe.dense_layers; }
// Layer `layer` (0-based) attends through a sliding window.
inline bool is_window_layer(const ModelSpec& m, int layer) {
  const SlidingWindow& w = m.sliding_window;
  return w.tokens > 0 && layer % w.period < w.period - w.full_layers;
}
// Window layers among layers [0, n).
inline int window_layers_below(const ModelSpec& m, int n) {
  const SlidingWindow& w = m.sliding_window;
  if (w.tokens == 0) return 0;
  const int per = w.period - w.full_layers;
  return n / w.period * per + std::min(n % w.period, per);
}

}  // namespace rackscope::workload
