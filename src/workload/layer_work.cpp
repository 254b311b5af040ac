#include "workload/layer_work.hpp"

#include <algorithm>

#include "workload/numerics.hpp"

namespace rackscope::workload {
namespace {
constexpr double kActBytes = activation_bytes;

bool is_moe_layer(const ModelSpec& m, int layer) { return m.moe.experts > 0 && layer >= m.moe.dense_layers; }
double ffn_matrices(const ModelSpec& m) { return m.activation == Activation::swiglu ? 3 : 2; }
}  // namespace

LayerWork layer_forward(const ModelSpec& m, int layer, const Execution& e, int seq, bool flash) {
  LayerWork w;
  const double t = e.tp;
  const double s = static_cast<double>(seq) / e.cp;  // local sequence
  const double tokens = e.micro_batch * s;           // every TP rank sees all tokens of its group
  const double sp_tokens = e.sequence_parallel ? tokens / t : tokens;  // tokens in norms/dropout
  const double h = m.hidden;
  // Weight bytes per element as the GEMMs read them (MX formats add a 1-byte scale per 32).
  const double w_bytes = e.precision == Precision::bf16 ? 2 : e.precision == Precision::fp8 ? 1 : e.precision == Precision::mxfp8 ? 1 + 1.0 / 32 : 0.5 + 1.0 / 32;
  using In = Gemm::Input;
  // `copies` GEMMs of rows x in by in x out in one kernel; `reads`: the input it takes (see Gemm).
  auto gemm = [&](double rows, double in, double out, In reads = In::other, double copies = 1) {
    // 2*m*n*k FLOPs; reads the input and the weight, writes the output.
    const double bytes = copies * (kActBytes * rows * (in + out) + w_bytes * in * out);
    w.matmul.add(2 * rows * in * out * copies, bytes);
    w.gemms.push_back({rows, in, out, bytes, copies, reads});
  };
  const In attn_in = In::attention, ffn_in = In::ffn;
  // Attention projections.
  double q_dim = static_cast<double>(m.heads) * m.head_dim / t;
  // With more TP ranks than KV heads, each rank holds a replica of one KV head (NxD kv_replicator).
  double kv_dim = std::max(m.kv_heads / t, 1.0) * m.head_dim;
  // AV multiplies every query head's scores by its (possibly shared, GQA) value head.
  double v_dim = kv_dim, av_dim = q_dim, o_in = q_dim;
  if (m.attention == Attention::mla) {
    const auto& a = m.mla;
    gemm(tokens, h, a.q_lora_rank, attn_in);  // replicated low-rank factors
    gemm(tokens, a.q_lora_rank, m.heads * (a.qk_nope_dim + a.qk_rope_dim) / t);
    gemm(tokens, h, a.kv_lora_rank + a.qk_rope_dim, attn_in);
    gemm(tokens, a.kv_lora_rank, m.heads * (a.qk_nope_dim + a.v_head_dim) / t);
    q_dim = m.heads * (a.qk_nope_dim + a.qk_rope_dim) / t;
    kv_dim = q_dim;
    v_dim = m.heads * static_cast<double>(a.v_head_dim) / t;
    av_dim = o_in = v_dim;
  } else {
    gemm(tokens, h, q_dim + 2 * kv_dim, attn_in);
  }
  // Attention core: QK^T over the full sequence (ring attention brings every KV chunk), then AV.
  const double heads_local = m.heads / t;
  const double qk_flops = 2 * e.micro_batch * s * seq * q_dim;
  const double av_flops = 2 * e.micro_batch * s * seq * av_dim;
  w.attention_model_flops = qk_flops + av_flops;
  const double score_elems = e.micro_batch * heads_local * s * seq;
  if (flash) {
    // Causal mask: blocks above the diagonal are skipped, about half the work.
    w.attention.add((qk_flops + av_flops) / 2, kActBytes * tokens * (q_dim + kv_dim + v_dim + o_in));
  } else {
    w.attention.add(qk_flops + av_flops, kActBytes * (tokens * (q_dim + kv_dim + v_dim + o_in) + 2 * score_elems), 2);
    // scale+mask+softmax and dropout on the score tensor: read and write it twice more.
    // scale+mask+softmax, and dropout when the model has it: each reads and writes the scores.
    const int passes = m.dropout ? 2 : 1;
    w.elementwise.add(0, kActBytes * 2 * passes * score_elems, passes);
    w.score_elementwise.add(0, kActBytes * 2 * passes * score_elems, passes);
  }
  gemm(tokens, o_in, h);
  // FFN: dense, or routed experts (tokens x top_k spread over experts) plus shared experts.
  if (is_moe_layer(m, layer)) {
    // EP ranks exchange tokens: on average each rank's experts process as many token-expert
    // assignments as the rank routes (tokens x top_k), whatever ep is; ep splits the weights.
    const double routed = tokens * m.moe.top_k;
    w.moe_tokens = routed;
    gemm(tokens, h, m.moe.experts, ffn_in);  // router, replicated
    const double f = m.moe.expert_ffn / t;
    // Each local expert gets an equal share of the assignments and reads its own weights.
    const double local = m.moe.experts / static_cast<double>(e.ep);
    for (int i = 0; i < ffn_matrices(m) - 1; ++i) gemm(routed / local, h, f, ffn_in, local);
    gemm(routed / local, f, h, In::other, local);
    for (int k = 0; k < m.moe.shared_experts; ++k) {
      for (int i = 0; i < ffn_matrices(m) - 1; ++i) gemm(tokens, h, f, ffn_in);
      gemm(tokens, f, h);
    }
    w.elementwise.add(0, kActBytes * 3 * routed * f, 1);
  } else {
    const double f = m.ffn / t;
    for (int i = 0; i < ffn_matrices(m) - 1; ++i) gemm(tokens, h, f, ffn_in);
    gemm(tokens, f, h);
    w.elementwise.add(0, kActBytes * (ffn_matrices(m) == 3 ? 3 : 2) * tokens * f, 1);  // activation
  }
  // Two norms (read, write), two residual adds (read 2, write 1) and, with dropout, two dropouts
  // (read, write the output and the mask) on the (sequence-parallel) hidden stream.
  w.elementwise.add(0, kActBytes * sp_tokens * h * (2 * 2 + 2 * 3 + (m.dropout ? 2 * 3 : 0)), m.dropout ? 6 : 4);
  return w;
}

LayerWork head_forward(const ModelSpec& m, const Execution& e, int seq) {
  LayerWork w;
  const double tokens = e.micro_batch * static_cast<double>(seq) / e.cp;
  const double v = m.vocab / static_cast<double>(e.tp);
  const double bytes = kActBytes * tokens * (m.hidden + v) + 2.0 * m.hidden * v;
  w.matmul.add(2 * tokens * m.hidden * v, bytes);
  w.gemms.push_back({tokens, static_cast<double>(m.hidden), v, bytes, 1, Gemm::Input::other});
  // softmax cross-entropy in fp32 over the logits: read, exponentiate, reduce, write the gradient
  w.elementwise.add(0, 4.0 * 3 * tokens * v, 3);
  return w;
}

double layer_activation_bytes(const ModelSpec& m, int layer, const Execution& e, int seq, bool flash) {
  const double s = static_cast<double>(seq) / e.cp;
  const double sbh = e.micro_batch * s * m.hidden;
  const double t = e.tp;
  const double h = m.hidden;
  if (e.recompute == Recompute::full) return 2 * sbh / (e.sequence_parallel ? t : 1);  // the layer input only
  // Replicated without sequence parallelism: norm inputs, QKV and FC1 inputs (2 bytes each) and,
  // with dropout, two dropout masks (1 byte each): 10 sbh (8 without dropout).
  const double replicated = (m.dropout ? 10 : 8) * sbh;
  // Split by TP: Q, K, V (2 bytes per element), the attention context, the FFN internals.
  const double q = static_cast<double>(m.heads) * m.head_dim, kv = static_cast<double>(m.kv_heads) * m.head_dim;
  double split = sbh * (2 * (q + 2 * kv) + 2 * q) / h;
  if (is_moe_layer(m, layer)) {
    const double f = m.moe.expert_ffn;
    const double per_token = (m.activation == Activation::swiglu ? 6 : 4) * f / h;
    split += sbh * per_token * (static_cast<double>(m.moe.top_k) + m.moe.shared_experts);
  } else {
    split += sbh * (m.activation == Activation::swiglu ? 6 : 4) * m.ffn / h;
  }
  // Scores: softmax output (2) and, with dropout, its mask (1) and output (2) per element: 5 a s^2 b.
  const double scores = flash || e.recompute == Recompute::selective ? 0 : (m.dropout ? 5.0 : 2.0) * m.heads * s * seq * e.micro_batch;
  const double per_layer = (e.sequence_parallel ? replicated / t : replicated) + split / t + scores / t;
  return per_layer;
}

}  // namespace rackscope::workload
