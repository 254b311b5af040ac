#pragma once
// Model shapes the closed-form tests build on (tests/model/*): a decoder of a given shape, and
// the fine-grained MoE several of them share.
#include <string>

#include "workload/model.hpp"

namespace rackscope::test {

// A decoder-only transformer of this shape; everything else (activation, norm, biases, dropout,
// attention kind, MoE) at ModelSpec's defaults for the caller to set.
inline workload::ModelSpec transformer(std::string name, int layers, int hidden, int ffn, int heads, int kv_heads, int head_dim,
                                       int vocab, int seq) {
  workload::ModelSpec m;
  m.name = std::move(name);
  m.layers = layers, m.hidden = hidden, m.ffn = ffn, m.heads = heads, m.kv_heads = kv_heads, m.head_dim = head_dim;
  m.vocab = vocab, m.seq = seq;
  return m;
}

// A fine-grained MoE (DeepSeek-V2-Lite's expert shape): every layer routes to 64 experts of FFN
// 1408, top-6, hidden 2048; SwiGLU, RMSNorm, standard attention, no shared experts.
inline workload::ModelSpec fine_grained_moe() {
  workload::ModelSpec m = transformer("fine-grained", 2, 2048, 10944, 16, 16, 128, 32000, 4096);
  m.activation = workload::Activation::swiglu;
  m.norm = workload::Norm::rmsnorm;
  m.moe.experts = 64, m.moe.top_k = 6, m.moe.expert_ffn = 1408;
  return m;
}

}  // namespace rackscope::test
