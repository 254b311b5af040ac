#include "workload/layer_work.hpp"

#include <algorithm>

#include "workload/cross_entropy.hpp"
#include "workload/moe_dispatch.hpp"
#include "workload/numerics.hpp"

namespace rackscope::workload {
namespace {
// Adds GEMM kernels to a layer's work: `copies` GEMMs of rows x in by in x out in one kernel;
// `reads`: the input it takes (see Gemm). 2*m*n*k FLOPs; reads the input and the weight, writes
// the output.
// With 8-bit or narrower GEMMs (`cast_bytes` > 0) each GEMM's 16-bit input is first quantized,
// its amax taken in the same pass: read 2 bytes, write the narrow element twice, once row-wise for
// this GEMM and once column-wise (transposed) for the weight-gradient GEMM, which Hopper's 8-bit
// tensor cores take only in the TN layout (Transformer Engine's cast_transpose kernels; Micikevicius
// et al. 2022, sec. 3); with current scaling a separate pass reads the input for its amax first.
// The backward quantizes each GEMM's output gradient the same way (read 2,
// write both layouts) before its data- and weight-gradient GEMMs. One kernel each (two with
// current scaling), counted for
// every GEMM as if none were fused into the norm or activation before it; the weights' own casts
// (once per step, cached across micro-batches) are not counted.
struct GemmAdder {
  LayerWork& w;
  double weight_bytes;     // per element, as the GEMMs read the weights
  double cast_bytes = 0;   // per element the cast writes (0: 16-bit GEMMs, no cast)
  double amax_read = 0;    // current scaling: bytes per element its separate amax pass reads first
  void operator()(double rows, double in, double out, Gemm::Input reads = Gemm::Input::other, double copies = 1) const {
    const double bytes = copies * (activation_bytes * rows * (in + out) + weight_bytes * in * out);
    w.matmul.add(2 * rows * in * out * copies, bytes);
    w.gemms.push_back({rows, in, out, bytes, copies, reads});
    input_cast(rows, in, copies);
    if (cast_bytes > 0) w.cast_backward.add(0, copies * rows * out * per_element(), cast_kernels());
  }
  // The quantization of a GEMM's input alone (also what a recomputed activation feeds again).
  void input_cast(double rows, double in, double copies = 1) const {
    if (cast_bytes > 0) w.casts.add(0, copies * rows * in * per_element(), cast_kernels());
  }
  double per_element() const { return amax_read + activation_bytes + 2 * cast_bytes; }
  int cast_kernels() const { return amax_read > 0 ? 2 : 1; }
};

// What one rank's share of a layer looks like: its tokens and the widths its attention works in.
struct LayerShape {
  double t = 1, s = 0, tokens = 0, sp_tokens = 0, h = 0;
  // Per-rank widths of Q, K, V, the AV product and the output projection's input.
  double q_dim = 0, kv_dim = 0, v_dim = 0, av_dim = 0, o_in = 0;
};

LayerShape layer_shape(const ModelSpec& m, const Execution& e, int seq) {
  LayerShape x;
  x.t = e.tp;
  x.s = static_cast<double>(seq) / e.cp;                        // local sequence
  x.tokens = e.micro_batch * x.s;                               // every TP rank sees all tokens of its group
  x.sp_tokens = e.sequence_parallel ? x.tokens / x.t : x.tokens;  // tokens in norms/dropout
  x.h = m.hidden;
  x.q_dim = static_cast<double>(m.heads) * m.head_dim / x.t;
  // With more TP ranks than KV heads, each rank holds a replica of one KV head (NxD kv_replicator).
  x.kv_dim = std::max(m.kv_heads / x.t, 1.0) * m.head_dim;
  // AV multiplies every query head's scores by its (possibly shared, GQA) value head.
  x.v_dim = x.kv_dim, x.av_dim = x.q_dim, x.o_in = x.q_dim;
  return x;
}

// QKV projections, or MLA's low-rank factors and up-projections (which change the widths).
// `again`: where the up-projections go a second time when the backward recomputes them.
void attention_projections(const ModelSpec& m, LayerShape& x, const GemmAdder& gemm, const GemmAdder* again) {
  const Gemm::Input attn_in = Gemm::Input::attention;
  if (m.attention != Attention::mla) {
    gemm(x.tokens, x.h, x.q_dim + 2 * x.kv_dim, attn_in);
    return;
  }
  const auto& a = m.mla;
  const double t = x.t;
  auto q_up = [&](const GemmAdder& add) { add(x.tokens, a.q_lora_rank, m.heads * (a.qk_nope_dim + a.qk_rope_dim) / t); };
  auto kv_up = [&](const GemmAdder& add) { add(x.tokens, a.kv_lora_rank, m.heads * (a.qk_nope_dim + a.v_head_dim) / t); };
  gemm(x.tokens, x.h, a.q_lora_rank, attn_in);  // replicated low-rank factors
  q_up(gemm);
  gemm(x.tokens, x.h, a.kv_lora_rank + a.qk_rope_dim, attn_in);
  kv_up(gemm);
  if (again) q_up(*again), kv_up(*again);
  x.q_dim = m.heads * (a.qk_nope_dim + a.qk_rope_dim) / t;
  x.kv_dim = x.q_dim;
  x.v_dim = m.heads * static_cast<double>(a.v_head_dim) / t;
  x.av_dim = x.o_in = x.v_dim;
}

// RoPE on the queries and keys after their projection: Megatron-Core's apply_rotary_pos_emb, one
// kernel per tensor (Transformer Engine's fused_apply_rotary_pos_emb, apply_rope_fusion on by
// default), each element read and written once; MLA rotates only its decoupled RoPE part (every
// head's qk_rope_dim of the query, one shared qk_rope_dim key).
void rotary_embedding(const ModelSpec& m, const LayerShape& x, LayerWork& w) {
  if (!rotary_positions(m)) return;
  const double rotated = m.attention == Attention::mla ? (m.heads / x.t + 1) * m.mla.qk_rope_dim : x.q_dim + x.kv_dim;
  w.elementwise.add(0, 2 * activation_bytes * x.tokens * rotated, 2);
}

// Attention core: QK^T over the full sequence (ring attention brings every KV chunk), then AV.
// The keys a query of a sequence of `seq` sees on average, causal under a window of `window` <
// seq tokens: the sum over positions of min(i + 1, window), window x seq - window (window - 1) / 2,
// over seq.
double window_keys_per_query(double seq, double window) { return (window * seq - window * (window - 1) / 2) / seq; }

void attention_core(const ModelSpec& m, const Execution& e, int seq, bool flash, bool window, const LayerShape& x, LayerWork& w) {
  const double heads_local = m.heads / x.t;
  const double qk_flops = 2 * e.micro_batch * x.s * seq * x.q_dim;
  const double av_flops = 2 * e.micro_batch * x.s * seq * x.av_dim;
  w.attention_model_flops = qk_flops + av_flops;
  w.attention_seq = x.s;
  w.attention_head_dim = attention_head_dim(m);
  const double score_elems = e.micro_batch * heads_local * x.s * seq;
  // Ring attention (CP > 1) as Transformer Engine runs it (AttnFuncWithCPAndKVP2P): each of the cp
  // steps' partial output is merged by its log-sum-exp into the output, an accumulator in the
  // activations' dtype zeroed first (torch.zeros_like(q); flash_attn_fwd_out_correction: read the
  // step's output and the accumulator, write the accumulator), the softmax statistics merged
  // between steps (cp - 1 small kernels); backward, each step's dQ and dK/dV are added into theirs
  // (dq.add_, dkv.add_: read both, write one).
  if (e.cp > 1) {
    const double out_elems = x.tokens * x.av_dim, grad_elems = x.tokens * (x.q_dim + x.kv_dim + x.v_dim);
    w.ring_merge.add(0, activation_bytes * out_elems * (1 + 3 * e.cp), 1 + e.cp + (e.cp - 1));
    w.ring_merge_backward.add(0, 3 * activation_bytes * grad_elems * e.cp, 2 * e.cp);
  }
  if (flash) {
    // Causal mask: blocks above the diagonal are skipped, about half the work. A sliding window
    // skips every block outside its band too: each query sees window_keys_per_query keys (the kernel
    // takes only the blocks it needs: FlashAttention's and cuDNN's window_size), at the rate of a
    // causal kernel over the window's length, its blocks on the band's edges half masked.
    w.attention_causal = true;
    const double io = activation_bytes * x.tokens * (x.q_dim + x.kv_dim + x.v_dim + x.o_in);
    if (window && m.sliding_window.tokens < seq) {
      const double share = window_keys_per_query(seq, m.sliding_window.tokens) / seq;
      w.attention_seq = std::min<double>(x.s, m.sliding_window.tokens);
      w.attention.add(share * (qk_flops + av_flops), io);
      return;
    }
    w.attention.add((qk_flops + av_flops) / 2, io);
    return;
  }
  w.attention.add(qk_flops + av_flops, activation_bytes * (x.tokens * (x.q_dim + x.kv_dim + x.v_dim + x.o_in) + 2 * score_elems), 2);
  // scale+mask+softmax reads and writes the scores; dropout, when the model has it, reads them and
  // writes its output and a 1-byte mask (the bool tensor PyTorch's fused dropout keeps for the
  // backward; Korthikanti et al. 2022 count it at 1 byte, as layer_activation_bytes does).
  const int passes = m.dropout ? 2 : 1;
  const double bytes = score_elems * (2 * activation_bytes + (m.dropout ? 2 * activation_bytes + dropout_mask_bytes : 0));
  w.elementwise.add(0, bytes, passes);
  w.score_elementwise.add(0, bytes, passes);
}

// MoE FFN as Megatron-Core's all-to-all dispatcher runs it (workload/moe_dispatch.hpp): router,
// permutation, grouped expert GEMMs on the busiest EP rank's rows, un-permutation, and the shared
// experts as one MLP of shared_experts x expert_ffn (Megatron-Core's SharedExpertMLP,
// moe_shared_expert_intermediate_size; DeepSeek-V2/V3 and Qwen MoE build it the same way).
// The shared experts: one MLP of shared_experts x expert_ffn, split by TP like a dense FFN.
void shared_experts(const ModelSpec& m, const LayerShape& x, const GemmAdder& gemm, LayerWork& w) {
  const double fs = static_cast<double>(m.moe.shared_experts) * m.moe.expert_ffn / x.t;
  for (int i = 0; i < ffn_matrices(m) - 1; ++i) gemm(x.tokens, x.h, fs, Gemm::Input::ffn);
  gemm(x.tokens, fs, x.h, Gemm::Input::ffn_inner);
  w.elementwise.add(0, activation_bytes * (ffn_matrices(m) == 3 ? 3 : 2) * x.tokens * fs, 1);
}

// `again`: where recomputed work goes (the experts' activation, and the second GEMM's input cast).
void moe_ffn(const ModelSpec& m, const Execution& e, const LayerShape& x, const GemmAdder& gemm, const GemmAdder* again, LayerWork& w) {
  const MoeDispatch d = moe_dispatch(m, e, x.tokens);
  w.moe_send_rows = d.send_rows;
  w.moe_gathered_rows = d.received;
  const double local_tokens = x.tokens / x.t, experts = m.moe.experts;
  gemm(local_tokens, x.h, experts);  // router, on the rank's sequence-parallel tokens
  // Router in fp32 over tokens x experts: softmax (read, write), top-k (read), the load-balancing
  // loss's per-expert sums (read): Megatron-Core router.py, topk_softmax_with_capacity.
  w.moe_routing.add(0, 4.0 * local_tokens * experts * 4, 3);
  // Permutation (TE's fused moe_permute: each routed row read and written), un-permutation
  // (weighted by the router's probabilities and summed back into the tokens: read every routed
  // row, write each token once), and, with several local experts fed by other ranks (all-to-all
  // or TP gather), the sort of the received chunks by expert and its inverse
  // (sort_chunks_by_idxs: read and write).
  const bool sort_chunks = (e.ep > 1 || expert_tp(e) > 1) && d.local_experts > 1;
  const double rows = 2 * d.routed + d.routed + local_tokens + (sort_chunks ? 4 * d.received : 0);
  w.moe_routing.add(0, activation_bytes * x.h * rows, sort_chunks ? 4 : 2);
  w.elementwise.add(w.moe_routing.flops, w.moe_routing.bytes, w.moe_routing.kernels);
  const double f = m.moe.expert_ffn / static_cast<double>(expert_tp(e));
  // The grouped GEMM: each local expert's rows x hidden by its expert-TP share of expert_ffn. Its
  // inputs come gathered by the dispatcher, not the FFN block's TP collectives: no TP window.
  for (int i = 0; i < ffn_matrices(m) - 1; ++i) gemm(d.rows_per_expert, x.h, f, Gemm::Input::other, d.local_experts);
  gemm(d.rows_per_expert, f, x.h, Gemm::Input::other, d.local_experts);
  w.elementwise.add(0, activation_bytes * (ffn_matrices(m) == 3 ? 3 : 2) * d.received * f, 1);
  if (again && e.recompute_moe_act && !e.recompute_moe) {
    again->w.elementwise.add(0, activation_bytes * (ffn_matrices(m) == 3 ? 3 : 2) * d.received * f, 1);
    again->input_cast(d.rows_per_expert, f, d.local_experts);  // the second GEMM's input, quantized again
  }
  w.ffn_tp_collectives = m.moe.shared_experts > 0;
  if (m.moe.shared_experts > 0) {
    shared_experts(m, x, gemm, w);
    // The shared experts checkpointed on their input (recompute_modules shared_experts, when the
    // whole block is not): their GEMMs and activation again, and their TP gather and reduction.
    if (again && e.recompute_shared_experts && !e.recompute_moe) {
      shared_experts(m, x, *again, again->w);
      w.ffn_tp_recomputed = true;
    }
  }
}

// Kernels the host issues for a layer's backward, counted by hand from Megatron-LM's
// ParallelTransformerLayer under autograd (megatron/model/transformer.py and
// megatron/core/tensor_parallel/layers.py, 2022-2023, with its defaults: apex's fused LayerNorm,
// gradient_accumulation_fusion, fused bias-GeLU, bias-dropout-add and masked softmax). GPT
// (biases, LayerNorm, dropout, GeLU, unfused attention): 8 + 4 + 6 + 2 + 2 + 1 + 8 + 8 = 39,
// where its forward issues 15 (layer_forward: 4 GEMMs, 2 batched GEMMs, 9 elementwise; by hand
// from the same code: 2 norms, QKV GEMM and its bias add, baddbmm, softmax, dropout, bmm, the
// context's permute().contiguous(), 3 GEMMs, bias-GeLU, 2 bias-dropout-adds: also 15).
int backward_kernels(const ModelSpec& m, bool flash, bool moe, const LayerWork& w) {
  const int gemms = static_cast<int>(w.gemms.size());
  const int biases = m.biases ? gemms : 0;
  // Each GEMM's data and weight gradients (LinearWithGradAccumulationAndAsyncCommunication: the
  // weight gradient accumulates into main_grad in the same kernel); each bias's gradient reduced
  // over the tokens (grad_output.sum(0), or autograd's sum_to behind bias-GeLU / bias-dropout-add).
  int k = 2 * gemms + biases;
  k += 2 * 3;              // two norms: cuComputePartGradGammaBeta, cuComputeGradGammaBeta, cuComputeGradInput
  k += 2;                  // each block's input gradient summed from its residual and its branch
  if (m.dropout) k += 2;   // the two fused bias-dropout-add backwards
  k += moe && m.moe.shared_experts > 0 ? 2 : 1;  // the activation's backward (bias_gelu_back, SwiGLU), experts' and shared
  if (flash) {
    k += 3;  // FlashAttention-2's backward: dot(dO, O), the main kernel, dQ's conversion (flash_bwd_launch_template.h)
  } else {
    // Two batched GEMMs for each of QK^T and AV, the softmax's and the dropout's backwards, the
    // context's permute().contiguous() copied back.
    k += 2 * w.attention.kernels + w.score_elementwise.kernels + 1;
  }
  k += 1;                                        // the Q, K, V split: their gradients concatenated
  if (rotary_positions(m)) k += 2;               // RoPE's backward on the query and key gradients
  k += w.moe_routing.kernels + w.cast_backward.kernels;  // router, permutations; each output gradient quantized
  k += w.ring_merge_backward.kernels;                     // CP: each ring step's gradients added in
  k += w.grad_accumulation.kernels;              // unfused: each weight's main_grad.add_(grad)
  // main_grad.add_(grad) for each parameter no weight-gradient GEMM accumulates itself
  // (DistributedDataParallel's backward hook): the norms' scales (and LayerNorm's biases), the biases.
  k += (m.norm == Norm::layernorm ? 4 : 2) + biases;
  return k;
}

// Without gradient-accumulation fusion the weight-gradient GEMM writes a fresh 16-bit gradient and
// DistributedDataParallel's hook adds it into the main gradient, a kernel per weight every
// micro-batch (Megatron-LM's param_hook, main_grad.add_(grad): read the gradient, read and write
// the main gradient, in the grad_reduce dtype). Megatron-LM gained the fused form late in 2021
// (ported to apex.transformer as NVIDIA/apex#1297, Feb 2022); AMD-AGI/Primus#995 describes the
// unfused pass it removes as "a full-size read-modify-write of main_grad per microbatch".
KernelWork grad_accumulation(const std::vector<Gemm>& gemms, const Execution& e) {
  KernelWork k;
  if (e.grad_accumulation_fusion) return k;
  const double per_weight = activation_bytes + 2 * hw::stored_bytes(e.grad_reduce);
  for (const Gemm& g : gemms) k.add(0, per_weight * g.copies * g.in * g.out, static_cast<int>(g.copies));
  return k;
}

void dense_ffn(const ModelSpec& m, const LayerShape& x, const GemmAdder& gemm, LayerWork& w) {
  const double f = m.ffn / x.t;
  for (int i = 0; i < ffn_matrices(m) - 1; ++i) gemm(x.tokens, x.h, f, Gemm::Input::ffn);
  gemm(x.tokens, f, x.h, Gemm::Input::ffn_inner);
  w.elementwise.add(0, activation_bytes * (ffn_matrices(m) == 3 ? 3 : 2) * x.tokens * f, 1);  // activation
}

// PyTorch eager elementwise (Execution::eager_elementwise): TorchTitan's Llama without
// torch.compile (torchtitan/models/llama/model.py, norms.py; its 64-A100 presets set norm_type
// "rmsnorm" and compile = false). Each op is a kernel and a pass over HBM of its own. Per element,
// counted from that code, against the one fused kernel (read 2, write 2 bytes) the rest of this
// file prices:
//   RMSNorm: x.float() (read 2, write 4), pow(2) (4, 4), mean (4), x * rsqrt (4, 4), type_as (4, 2),
//     * weight (2, 2): 36 bytes, 8 kernels with the eps add and rsqrt on the per-token statistic;
//   RoPE on Q and on K: float() (2, 4), the complex multiply by the frequencies (4, 4: view_as_complex
//     pairs the fp32 values without a copy), type_as (4, 2): 20 bytes, 3 kernels;
//   SwiGLU, F.silu(w1 x) * w3 x: silu (2, 2), the product (4, 2): 10 bytes per FFN element, 2
//     kernels, against the fused activation's 6 in 1.
// The backward takes the model's 2x of these bytes (workload/layer_cost); by the same count
// autograd moves about 64 bytes per element for RMSNorm, 20 for RoPE and 18 for SwiGLU. Its
// kernels: RMSNorm about 10 against the fused 3, RoPE 3 against 1 per tensor, SwiGLU 3 against 1.
// The fp32 copies autograd keeps for the backward (RMSNorm's x.float()) are not counted in the
// activation memory.
struct EagerExtra {
  static constexpr double rms_norm_bytes = 36 - 4, rope_bytes = 20 - 4, swiglu_bytes = 10 - 6;
  static constexpr int rms_norm_kernels = 8 - 1, rope_kernels = 3 - 1, swiglu_kernels = 2 - 1;
  static constexpr int rms_norm_backward_kernels = 10 - 3, rope_backward_kernels = 3 - 1, swiglu_backward_kernels = 3 - 1;
};

// What eager execution adds to a layer's forward; returns the kernels it adds to its backward.
int eager_elementwise(const ModelSpec& m, int layer, const LayerShape& x, LayerWork& w) {
  int backward = 0;
  if (m.norm == Norm::rmsnorm) {  // F.layer_norm is one kernel in eager PyTorch too
    w.elementwise.add(0, 2 * EagerExtra::rms_norm_bytes * x.sp_tokens * x.h, 2 * EagerExtra::rms_norm_kernels);
    backward += 2 * EagerExtra::rms_norm_backward_kernels;
  }
  if (rotary_positions(m) && m.attention != Attention::mla) {
    w.elementwise.add(0, EagerExtra::rope_bytes * x.tokens * (x.q_dim + x.kv_dim), 2 * EagerExtra::rope_kernels);
    backward += 2 * EagerExtra::rope_backward_kernels;
  }
  if (ffn_matrices(m) == 3 && !is_moe_layer(m, layer)) {
    w.elementwise.add(0, EagerExtra::swiglu_bytes * x.tokens * (m.ffn / x.t), EagerExtra::swiglu_kernels);
    backward += EagerExtra::swiglu_backward_kernels;
  }
  return backward;
}

// Norms of a layer that stand apart from a GEMM (Execution::recompute_layernorm): MLA's input norm
// and an MoE layer's pre-MLP norm.
int apart_norms(const ModelSpec& m, int layer) { return (m.attention == Attention::mla) + is_moe_layer(m, layer); }

// The dense MLP checkpointed on its input (Megatron-Core recompute_modules "mlp": the MLP submodule
// under tensor_parallel.checkpoint): its pre-MLP norm (read, write), GEMMs and activation run again
// before its backward; its TP gather and reduction too (LayerWork::ffn_tp_recomputed).
void dense_ffn_again(const ModelSpec& m, const LayerShape& x, const GemmAdder& again) {
  again.w.elementwise.add(0, 2 * activation_bytes * x.sp_tokens * x.h, 1);
  dense_ffn(m, x, again, again.w);
}
}  // namespace

LayerWork layer_forward(const ModelSpec& m, int layer, const Execution& e, int seq, bool flash) {
  LayerWork w;
  // Weight bytes per element as the GEMMs read them (MX formats add a 1-byte scale per 32).
  const double w_bytes = hw::stored_bytes(e.precision);
  const bool narrow = hw::narrow_gemm(e.precision);
  const GemmAdder gemm{w, w_bytes, narrow ? w_bytes : 0, narrow && e.fp8_current_scaling ? activation_bytes : 0};
  LayerShape x = layer_shape(m, e, seq);
  // Selectively recomputed modules: their forward work again, collected on the side. Full
  // recompute repeats the whole forward anyway.
  LayerWork recomputed;
  const GemmAdder again_adder{recomputed, gemm.weight_bytes, gemm.cast_bytes, gemm.amax_read};
  const bool selective_modules = e.recompute != Recompute::full;
  const bool mla_again = selective_modules && e.recompute_mla_up_proj && m.attention == Attention::mla;
  attention_projections(m, x, gemm, mla_again ? &again_adder : nullptr);
  rotary_embedding(m, x, w);
  if (mla_again) {
    // MLA's two latent norms (read, write each element) and the query's and key's RoPE run again
    // before the up-projections' outputs are rebuilt.
    recomputed.elementwise.add(0, 2 * activation_bytes * x.tokens * (m.mla.q_lora_rank + m.mla.kv_lora_rank), 2);
    rotary_embedding(m, x, recomputed);
  }
  attention_core(m, e, seq, flash, is_window_layer(m, layer), x, w);
  gemm(x.tokens, x.o_in, x.h, Gemm::Input::context);  // output projection
  if (is_moe_layer(m, layer)) moe_ffn(m, e, x, gemm, selective_modules ? &again_adder : nullptr, w);
  else dense_ffn(m, x, gemm, w);
  if (selective_modules && e.recompute_layernorm && apart_norms(m, layer) > 0) {
    // Each such norm again before the backward: read its input, write its output.
    recomputed.elementwise.add(0, apart_norms(m, layer) * 2 * activation_bytes * x.sp_tokens * x.h, apart_norms(m, layer));
  }
  if (selective_modules && e.recompute_moe && is_moe_layer(m, layer)) {
    // The MoE block checkpointed on its input (Megatron-Core recompute_modules "moe": MoELayer's
    // forward under tensor_parallel.checkpoint; the pre-MLP norm stays outside it): router,
    // permutations, experts and shared experts run again before its backward (into `recomputed`,
    // whose dispatch counts go unused), and its dispatch and combine, and the shared experts' TP
    // collectives, too.
    moe_ffn(m, e, x, again_adder, nullptr, recomputed);
    w.moe_recomputed = true;
    w.ffn_tp_recomputed = m.moe.shared_experts > 0;
  }
  if (selective_modules && e.recompute_mlp && !is_moe_layer(m, layer)) {
    dense_ffn_again(m, x, again_adder);
    w.ffn_tp_recomputed = true;
  }
  // Two norms (read, write), two residual adds (read 2, write 1) and, with dropout, two dropouts
  // (read, write the output and its 1-byte mask) on the (sequence-parallel) hidden stream.
  const double dropouts = m.dropout ? 2 * (2 * activation_bytes + dropout_mask_bytes) : 0;
  w.elementwise.add(0, x.sp_tokens * x.h * (activation_bytes * (2 * 2 + 2 * 3) + dropouts), m.dropout ? 6 : 4);
  w.grad_accumulation = grad_accumulation(w.gemms, e);
  const int eager_backward = e.eager_elementwise ? eager_elementwise(m, layer, x, w) : 0;
  w.backward_kernels = backward_kernels(m, flash, is_moe_layer(m, layer), w) + eager_backward;
  w.recompute_gemms = std::move(recomputed.gemms);
  w.recompute_casts = recomputed.casts;
  w.recompute_elementwise = recomputed.elementwise;
  return w;
}

LayerWork head_forward(const ModelSpec& m, const Execution& e, int seq) {
  LayerWork w;
  const double tokens = e.micro_batch * static_cast<double>(seq) / e.cp;
  const double v = m.vocab / static_cast<double>(e.tp);
  const double bytes = activation_bytes * tokens * (m.hidden + v) + 2.0 * m.hidden * v;
  w.matmul.add(2 * tokens * m.hidden * v, bytes);
  w.gemms.push_back({tokens, static_cast<double>(m.hidden), v, bytes, 1, Gemm::Input::other});
  // the cross-entropy over this rank's logits, as the execution's implementation runs it
  const CrossEntropyCost& ce = cross_entropy_cost(e.cross_entropy);
  w.loss.add(0, ce.forward_bytes * tokens * v, ce.forward_kernels);
  w.loss_backward.add(0, ce.backward_bytes * tokens * v, ce.backward_kernels);
  w.grad_accumulation = grad_accumulation(w.gemms, e);
  w.backward_kernels = 2 + ce.backward_kernels + w.grad_accumulation.kernels;  // the GEMM's two gradients, the loss's
  return w;
}

LayerWork mtp_projection_forward(const ModelSpec& m, const Execution& e, int seq) {
  LayerWork w;
  const double tokens = e.micro_batch * static_cast<double>(seq) / e.cp;
  const double h = m.hidden, out = h / e.tp;
  const double bytes = activation_bytes * tokens * (2 * h + out) + activation_bytes * 2 * h * out;
  w.matmul.add(2 * tokens * 2 * h * out, bytes);
  w.gemms.push_back({tokens, 2 * h, out, bytes, 1, Gemm::Input::other});
  // the two norms: each reads and writes tokens x h
  w.elementwise.add(0, 2 * 2 * activation_bytes * tokens * h, 2);
  w.grad_accumulation = grad_accumulation(w.gemms, e);
  w.backward_kernels = 2 + 2 + w.grad_accumulation.kernels;  // the GEMM's two gradients, the norms' backwards
  return w;
}

double layer_activation_bytes(const ModelSpec& m, int layer, const Execution& e, int seq, bool flash) {
  const double s = static_cast<double>(seq) / e.cp;
  const double sbh = e.micro_batch * s * m.hidden;
  const double t = e.tp;
  const double h = m.hidden;
  if (e.recompute == Recompute::full) return activation_bytes * sbh / (e.sequence_parallel ? t : 1);  // the layer input only
  // Each GEMM keeps its input for the weight gradient: 16-bit, or with 8-bit or narrower GEMMs the
  // quantized copy it ran on (Transformer Engine's Linear and LayerNormLinear save the fp8 input,
  // not the 16-bit one); what other kernels' backwards need stays 16-bit.
  const bool narrow = hw::narrow_gemm(e.precision);
  const double gemm_input = narrow ? hw::stored_bytes(e.precision) : activation_bytes;
  // Replicated without sequence parallelism: the norms' inputs (2 bytes), the QKV and FC1 inputs
  // (the norms' outputs) and, with dropout, two dropout masks: 10 sbh (8 without dropout) in 16 bits.
  const double replicated = (2 * activation_bytes + 2 * gemm_input + (m.dropout ? 2 * dropout_mask_bytes : 0)) * sbh;
  // Split by TP: Q, K, V (2 bytes per element), the attention context (kept by the attention
  // core's backward; the output projection's input is the same tensor, or its narrow copy), the
  // FFN internals: FC1's output for the activation's backward (f elements, 2 f gated) and FC2's
  // input (f): 4 or 6 bytes per element of f in 16 bits.
  const double context = narrow ? activation_bytes + gemm_input : activation_bytes;
  const double ffn_per_width = activation_bytes * (m.activation == Activation::swiglu ? 2 : 1) + gemm_input;
  const double tokens = sbh / h;
  double split = 0;
  double whole = 0;  // kept whole on each TP rank: MoE rows of `hidden`, the routed experts' internals, MLA's latents
  double replicated_dropped = 0;  // of `replicated`, what a recomputed module does not keep
  if (m.attention == Attention::mla) {
    // MLA: the attention core keeps Q and K (qk_nope + qk_rope wide per head) and V (v_head wide),
    // unless the up-projections are recomputed (then rebuilt from the latents in the backward);
    // the output projection's input as above. The latents are replicated over TP: each norm's
    // input (16-bit) and the up-projection's input (the norm's output, as the GEMM reads it).
    const auto& a = m.mla;
    const double qk = static_cast<double>(m.heads) * (a.qk_nope_dim + a.qk_rope_dim), v = static_cast<double>(m.heads) * a.v_head_dim;
    split = tokens * ((e.recompute_mla_up_proj ? 0 : activation_bytes * (2 * qk + v)) + context * v);
    whole = tokens * (activation_bytes + gemm_input) * (a.q_lora_rank + a.kv_lora_rank);
  } else {
    const double q = static_cast<double>(m.heads) * m.head_dim, kv = static_cast<double>(m.kv_heads) * m.head_dim;
    split = sbh * (2 * (q + 2 * kv) + context * q) / h;
  }
  if (is_moe_layer(m, layer) && e.recompute_moe) {
    // The MoE block checkpointed on its input (the pre-MLP norm's output, counted above): nothing
    // of the router, the dispatched rows, the experts or the shared experts is kept.
  } else if (is_moe_layer(m, layer)) {
    // The experts' internals for the rows the busiest EP rank takes (workload/moe_dispatch.hpp)
    // and the shared experts' for every token; the experts' input, gathered over expert TP
    // (whole on each rank; kept quantized by 8-bit GEMMs, as Transformer Engine's GroupedLinear
    // saves its fp8 input like Linear), and the rows the un-permutation weights by the router's
    // probabilities once they are back on the rank that routed them.
    // The routed experts' internals are split by the expert TP degree, the shared experts' by TP.
    const double f = m.moe.expert_ffn;
    const MoeDispatch d = moe_dispatch(m, e, tokens);
    // The shared experts' internals, unless they are recomputed (recompute_shared_experts).
    if (!e.recompute_shared_experts) split += ffn_per_width * f * tokens * m.moe.shared_experts;
    // With the activation recomputed (recompute_moe_act) the second GEMM's input is not kept.
    const double routed_per_width = ffn_per_width - (e.recompute_moe_act ? gemm_input : 0);
    whole += (gemm_input * d.received + activation_bytes * d.routed) * h + routed_per_width * f * d.received / expert_tp(e);
  } else if (e.recompute_mlp) {
    // The MLP checkpointed on its input (the pre-MLP norm's input, counted above): neither FC1's
    // input (the norm's output) nor the FFN's internals are kept.
    replicated_dropped += gemm_input * sbh;
  } else {
    split += sbh * ffn_per_width * m.ffn / h;
  }
  // The norms apart from a GEMM, recomputed: their outputs (counted with the GEMM inputs) not kept.
  if (e.recompute_layernorm) replicated_dropped += apart_norms(m, layer) * gemm_input * sbh;
  // Scores: softmax output (2) and, with dropout, its mask (1) and output (2) per element: 5 a s^2 b.
  const double score_bytes = activation_bytes + (m.dropout ? dropout_mask_bytes + activation_bytes : 0);
  const double scores = flash || e.recompute == Recompute::selective ? 0 : score_bytes * m.heads * s * seq * e.micro_batch;
  const double kept = replicated - replicated_dropped;
  const double per_layer = (e.sequence_parallel ? kept / t : kept) + split / t + scores / t + whole;
  return per_layer;
}

}  // namespace rackscope::workload
