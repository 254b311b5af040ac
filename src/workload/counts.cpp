#include "workload/counts.hpp"

namespace rackscope::workload {

LayerParams layer_params(const ModelSpec& m, int layer) {
  const double h = m.hidden;
  LayerParams p;
  const double q_dim = static_cast<double>(m.heads) * m.head_dim;
  const double kv_dim = static_cast<double>(m.kv_heads) * m.head_dim;
  if (m.attention == Attention::mla) {
    // DeepSeek-V2/V3 MLA: q = W_uq(norm(W_dq x)), kv latent c = W_dkv x (+ shared rope key),
    // k_nope, v = W_uk c, W_uv c; output W_o over heads x v_head_dim.
    const auto& a = m.mla;
    const double qk = a.qk_nope_dim + a.qk_rope_dim;
    p.attention = h * a.q_lora_rank + a.q_lora_rank * m.heads * qk + h * (a.kv_lora_rank + a.qk_rope_dim) +
                  a.kv_lora_rank * m.heads * (a.qk_nope_dim + a.v_head_dim) + static_cast<double>(m.heads) * a.v_head_dim * h;
    p.norms += a.q_lora_rank + a.kv_lora_rank;  // the latent norms
  } else {
    p.attention = h * (q_dim + 2 * kv_dim) + q_dim * h;
    if (m.biases) p.attention += q_dim + 2 * kv_dim + h;
  }
  auto ffn_params = [&](double f) {
    const double matrices = ffn_matrices(m);
    double n = matrices * h * f;
    if (m.biases) n += (matrices - 1) * f + h;
    return n;
  };
  if (is_moe_layer(m, layer)) {
    const double expert = ffn_params(m.moe.expert_ffn);
    const double router = h * m.moe.experts;
    p.mlp = (m.moe.experts + m.moe.shared_experts) * expert + router;
    p.mlp_active = (m.moe.top_k + m.moe.shared_experts) * expert + router;
  } else {
    p.mlp = p.mlp_active = ffn_params(m.ffn);
  }
  p.norms += (m.norm == Norm::layernorm ? 2 : 1) * 2 * h;
  return p;
}

double embedding_params(const ModelSpec& m) {
  double n = static_cast<double>(m.vocab) * m.hidden;
  if (!m.tied_embeddings) n *= 2;
  if (m.learned_positions) n += static_cast<double>(m.seq) * m.hidden;
  n += (m.norm == Norm::layernorm ? 2 : 1) * static_cast<double>(m.hidden);  // final norm
  return n;
}

double total_params(const ModelSpec& m) {
  double n = embedding_params(m);
  LayerParamsByKind params(m);
  for (int l = 0; l < m.layers; ++l) n += params(l).total();
  return n;
}

MtpParams mtp_module_params(const ModelSpec& m) {
  const double h = m.hidden, own = 2 * h * h + 2 * h;
  const LayerParams p = layer_params(m, m.layers - 1);
  return {p.total() + own, p.attention + p.mlp_active + p.norms + own};
}

double active_params(const ModelSpec& m) {
  double n = embedding_params(m);
  LayerParamsByKind params(m);
  for (int l = 0; l < m.layers; ++l) {
    const auto& p = params(l);
    n += p.attention + p.mlp_active + p.norms;
  }
  return n;
}

double model_flops_per_token(const ModelSpec& m, int seq) {
  const double attn_dim = static_cast<double>(m.heads) * m.head_dim;
  return 6 * active_params(m) + 12.0 * m.layers * attn_dim * seq;
}

}  // namespace rackscope::workload
