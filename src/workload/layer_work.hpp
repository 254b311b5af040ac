#pragma once
// The work of one transformer layer for one micro-batch on one rank, forward pass: FLOPs and HBM
// bytes of its GEMMs, attention core and elementwise kernels (Korthikanti et al. 2022, sec. 4).
#include "workload/execution.hpp"
#include "workload/model.hpp"

#include <vector>

namespace rackscope::workload {

struct KernelWork {
  double flops = 0, bytes = 0;
  int kernels = 0;
  void add(double f, double b, int k = 1) {
    flops += f;
    bytes += b;
    kernels += k;
  }
};

// One GEMM kernel of the layer: `copies` GEMMs of rows x in by in x out (MoE experts run as one
// grouped kernel), reading and writing `bytes` in all.
struct Gemm {
  // Which GEMMs read the TP-gathered hidden stream (column-parallel: QKV or MLA's projections;
  // FFN up/gate or shared experts' (routed experts get theirs from the MoE dispatcher)): their
  // backward GEMMs are the windows in which frameworks run
  // the TP re-gather and the input-gradient reduction.
  // The output projection reads the attention core's output (`context`), the FFN's last GEMM its
  // activation (`ffn_inner`): the GEMMs whose outputs TP reduces.
  enum class Input { other, attention, ffn, context, ffn_inner };
  double rows = 0, in = 0, out = 0, bytes = 0, copies = 1;
  Input reads = Input::other;
};

struct LayerWork {
  KernelWork matmul;        // QKV, output projection, FFN or experts, router: totals of `gemms`
  std::vector<Gemm> gemms;  // the same GEMMs one by one, for size-dependent efficiency
  KernelWork attention;     // QK^T and AV as executed (flash attention skips masked blocks)
  double attention_seq = 0;      // the sequence length the attention kernels run over (seq / cp)
  bool attention_causal = false; // fused under a causal mask (the masked blocks skipped)
  double attention_head_dim = 0; // the QK^T inner size per head (MLA: its no-RoPE and RoPE parts)
  double attention_model_flops = 0;  // QK^T and AV by the non-causal convention (for MFU)
  KernelWork elementwise;   // norms, activation, dropout, residuals, unfused softmax
  KernelWork score_elementwise;  // the unfused softmax and dropout on the scores (also in `elementwise`)
  KernelWork casts;         // 8-bit GEMMs: the quantization (with amax) of their inputs, forward
  KernelWork cast_backward; // 8-bit GEMMs: the quantization of their output gradients, backward
  KernelWork ring_merge;    // CP > 1: merging each ring-attention step's partial output, forward
  KernelWork ring_merge_backward;  // CP > 1: adding each step's dQ and dK/dV into theirs, backward
  KernelWork moe_routing;   // MoE: router softmax/top-k and the token permutations (also in `elementwise`)
  KernelWork grad_accumulation;  // backward only, without gradient-accumulation fusion: main_grad += grad per weight
  KernelWork loss, loss_backward;  // the output head's cross-entropy, forward and backward (workload/cross_entropy.hpp)
  // Forward work the backward repeats for the modules Execution recomputes selectively
  // (recompute_mla_up_proj, recompute_moe_act, recompute_mlp, recompute_moe, recompute_layernorm,
  // recompute_shared_experts): GEMMs, their input casts, elementwise kernels.
  std::vector<Gemm> recompute_gemms;
  KernelWork recompute_casts, recompute_elementwise;
  // MoE dispatch (workload/moe_dispatch.hpp): rows of `hidden` one rank sends in each all-to-all
  // (scaled to the busiest receiver) and the rows its experts take once gathered over TP.
  double moe_send_rows = 0, moe_gathered_rows = 0;
  // Whether the FFN block gathers its input over TP and reduces its output (sequence parallel) or
  // all-reduces it: dense FFNs and shared experts do; routed experts only through the dispatcher.
  bool ffn_tp_collectives = true;
  // The dense MLP recomputed (recompute_mlp), or shared experts (recompute_moe,
  // recompute_shared_experts): the FFN block's forward TP gather and reduction run again too.
  bool ffn_tp_recomputed = false;
  // The MoE block recomputed (recompute_moe): its forward's dispatch and combine run again too.
  bool moe_recomputed = false;
  // Kernels the host issues for the backward pass (eager frameworks launch each one: the
  // launch-bound floor of eval/layer_cost). The forward issues gemms + attention + elementwise.
  int backward_kernels = 0;
};

// `seq` is the full sequence; a rank holds seq / cp of it. `flash`: fused attention kernel.
LayerWork layer_forward(const ModelSpec& m, int layer, const Execution& e, int seq, bool flash);
// The output head and loss of the last stage, forward.
LayerWork head_forward(const ModelSpec& m, const Execution& e, int seq);
// A multi-token-prediction module's input, forward: the norms of the hidden state and of the
// next token's embedding, and their concatenation projected from 2h to h (DeepSeek-V3 sec. 2.2).
LayerWork mtp_projection_forward(const ModelSpec& m, const Execution& e, int seq);

// Activation bytes one layer keeps for backward, per micro-batch per rank (Korthikanti et al.
// 2022, eq. 1-5, generalised to GQA and gated FFNs; flash attention keeps no s^2 scores; 8-bit or
// narrower GEMMs keep their inputs quantized).
double layer_activation_bytes(const ModelSpec& m, int layer, const Execution& e, int seq, bool flash);

}  // namespace rackscope::workload
