#pragma once
// How a model is run: batch, parallel degrees (counted in ranks, as the framework counts them:
// on Trainium, NeuronCores), recompute, precision and overlap switches.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hw/precision.hpp"
#include "workload/model.hpp"

namespace rackscope::workload {

enum class Recompute { none, selective, full };
// How an MoE layer's tokens reach their experts' ranks. alltoall: Megatron-Core's
// MoEAlltoAllTokenDispatcher, one copy per token-expert pair over the EP group's all-to-all.
// flex: DeepEP / HybridEP (Megatron-Core's flex dispatcher): a token crosses the network once per
// rack holding any of its experts, to the rank on its own rail there, and is forwarded over the
// scale-up links once per destination rank (DeepEP README, "internode" kernels).
enum class MoeDispatcher { alltoall, flex };
// The loss over the vocabulary (workload/cross_entropy.hpp): Megatron-Core's unfused
// vocab_parallel_cross_entropy, its TorchScript-fused one (cross_entropy_loss_fusion, NeMo's
// recipes), or Transformer Engine's Triton kernels (cross_entropy_fusion_impl te, Megatron-Bridge's
// Llama 3 recipes).
enum class CrossEntropy { unfused, fused, te };
// Training precisions are the selectable rows of hw::precision_table.
using Precision = hw::Precision;
using hw::precision_name;

struct Execution {
  int global_batch = 0;   // sequences per step
  int micro_batch = 1;    // sequences per micro-batch per model replica
  int tp = 1, pp = 1, dp = 1, cp = 1, ep = 1;
  // Expert tensor-parallel degree (Megatron-Core's expert_tensor_parallel_size); 0: tp, EP then
  // carved out of DP. Any other value folds the experts' own grid over the ranks of a pipeline
  // stage (MoE parallel folding, Liu et al. 2025, arXiv 2504.14960): etp innermost, then ep, then
  // the expert data-parallel replicas, so with etp 1 an EP group spans the TP ranks too.
  int etp = 0;
  int vpp = 1;            // interleaved pipeline: model chunks per stage
  int zero = 0;           // 0: none, 1: optimizer states, 2: + gradients, 3: + parameters (FSDP)
  bool sequence_parallel = false;
  Recompute recompute = Recompute::none;
  // Modules recomputed in the backward besides `recompute` (Megatron-Core's recompute_modules,
  // CheckpointWithoutOutput: the module's output freed once used, rebuilt before the backward
  // needs it): MLA's up-projections (its Q, K and V rebuilt from the kept latents), and the
  // routed experts' activation function (its output, the second GEMM's input, rebuilt). And
  // (checkpoint, keeping the module's input) the dense layers' MLP: its norm, GEMMs, activation
  // and, with TP, its gather and reduction run again in the backward (recompute_modules mlp); the
  // MoE layers' whole MoE block likewise: router, dispatch and combine all-to-alls, experts and
  // shared experts (recompute_modules moe; it holds recompute_moe_act's saving and more).
  bool recompute_mla_up_proj = false;
  bool recompute_moe_act = false;
  bool recompute_mlp = false;
  bool recompute_moe = false;
  // The norms that stand apart from a GEMM (recompute_modules layernorm): an MoE layer's pre-MLP
  // norm (the router reads it) and MLA's input norm (two down-projections read it) drop their
  // output after the forward and compute it again before the backward. Transformer Engine fuses
  // every other norm into the GEMM after it (LayerNormLinear), which keeps nothing apart.
  bool recompute_layernorm = false;
  // MoE layers' shared experts checkpointed on their input (recompute_modules shared_experts).
  bool recompute_shared_experts = false;
  MoeDispatcher moe_dispatcher = MoeDispatcher::alltoall;
  CrossEntropy cross_entropy = CrossEntropy::fused;
  Precision precision = Precision::bf16;
  bool overlap_dp = true;        // gradient reduce overlapped with backward
  bool overlap_param_gather = true;  // ZeRO parameter all-gathers overlapped with compute (ZeRO-1/2: the next forward)
  bool overlap_tp = false;       // TP collectives pipelined with the GEMM each feeds (collective matmul), inside the scale-up domain
  bool overlap_tp_backward = true;  // backward re-gather / input-gradient reduction behind the gradient GEMMs
  bool graph_capture = false;    // kernels issued as one captured graph (CUDA graphs, Neuron's compiled graphs)
  // Norms, RoPE and the gated activation as PyTorch eager ops, each its own kernel and pass over HBM
  // (TorchTitan's Llama without torch.compile; workload/layer_work: eager_elementwise); off, each
  // is one fused kernel (apex / Transformer Engine / Megatron-Core fusions).
  bool eager_elementwise = false;
  // The weight-gradient GEMM adds into the main gradient itself (Megatron-LM's
  // gradient_accumulation_fusion, Transformer Engine's fuse_wgrad_accumulation); off, a kernel per
  // weight adds each micro-batch's gradient into it (workload/layer_work: grad_accumulation).
  bool grad_accumulation_fusion = true;
  // Without sequence parallelism, pipeline sends carry 1/tp of the activation from each TP rank,
  // gathered over TP on arrival (Megatron-LM's scatter_gather_tensors_in_pipeline); off, every TP
  // rank sends the whole tensor.
  bool pp_scatter_gather = true;
  // Interleaved pipelines (vpp > 1): each activation send and receive runs while a model chunk
  // computes, waited on only before the chunk that needs it (Megatron-Core's overlap_p2p_comm,
  // which NeMo and Megatron-Bridge turn on whenever vpp > 1); off, each transfer blocks.
  bool overlap_p2p = false;
  // MoE dispatch and combine of one micro-batch hidden behind another's compute: in the steady
  // 1F1B phase Megatron-Core (overlap_moe_expert_parallel_comm, its combined 1F1B schedule)
  // runs a layer's forward for the next micro-batch beside its backward for the last one, each
  // all-to-all behind the other's attention or MLP (DeepSeek-V3 Technical Report sec. 3.2.1).
  bool overlap_ep = false;
  int seq = 0;                   // 0: the model's sequence length
  // The precision recipe beyond the GEMMs' format: what memory holds and what the wire carries.
  Precision grad_reduce = Precision::fp32;       // main gradients, accumulated and reduced across DP
  Precision optimizer_states = Precision::fp32;  // Adam m and v; fp32 keeps an fp32 master copy too
  bool fp8_params = false;     // 8-bit GEMMs: weights kept (and gathered) in that format
  // Per-tensor fp8 scaled from the tensor itself (Transformer Engine's Float8CurrentScaling): each
  // quantization first reads its input for the amax, then casts; off, delayed scaling (the amax
  // from earlier steps' history, taken during the cast).
  bool fp8_current_scaling = false;
  bool fp8_attention = false;  // attention core in fp8 as well (otherwise bf16, as TE does)
  // Pipeline layout: layers of the first and last stage (0: the even split), and the embedding
  // and the loss each counted as a layer of the split (Megatron-LM's
  // decoder_first/last_pipeline_num_layers, account_for_embedding/loss_in_pipeline_split).
  int first_stage_layers = 0, last_stage_layers = 0;
  bool embedding_stage = false, loss_stage = false;
  // Gradient bucket of the overlapped DP reduction, in parameters; 0: Megatron-LM's
  // DistributedDataParallelConfig.bucket_size default, max(40M, 1M x dp x cp).
  int dp_bucket_params = 0;
  // Rank grid order, innermost first (default TP, CP, EP, DP, PP): which degrees share chips.
  std::vector<std::string> order = {"tp", "cp", "ep", "dp", "pp"};
};

const char* recompute_name(Recompute r);
// Ranks holding the same parameters: the data-parallel replicas and, inside each, its context-
// parallel ranks, whose gradients are summed too. Megatron-Core reduces gradients and shards its
// distributed optimizer (and FSDP its parameters) over this group: the data-parallel group with
// context parallelism (parallel_state.get_data_parallel_group(with_context_parallel=True)).
inline int param_replicas(const Execution& e) { return e.dp * e.cp; }
// The expert tensor-parallel degree in effect: etp, or tp when etp is 0.
inline int expert_tp(const Execution& e) { return e.etp > 0 ? e.etp : e.tp; }
// Experts laid out on their own grid (etp differs from tp: MoE parallel folding).
inline bool expert_grid_folded(const Execution& e) { return expert_tp(e) != e.tp; }
// Ranks holding the same routed experts: the stage's tp x cp x dp ranks over etp x ep (Megatron-
// Core's expert_data_parallel_group; with etp = tp, param_replicas / ep). check_structure() has
// etp x ep dividing them.
inline int expert_replicas(const Execution& e) {
  return static_cast<int>(int64_t{e.tp} * param_replicas(e) / (int64_t{expert_tp(e)} * e.ep));
}
// The data-parallel degree that fills `ranks` given tp, cp and pp: ranks / (tp*cp*pp), or 0 when
// that does not divide (evaluate() then reports ranks_mismatch).
int derived_dp(int64_t ranks, const Execution& e);

// Typed reasons a configuration cannot run, counted by sweeps.
enum class Infeasibility {
  none,
  ranks_mismatch,          // tp*cp*pp*dp != ranks of the cluster
  tp_heads,                // tp does not divide the attention (or KV) heads
  pp_layers,               // more stages than layers, or interleaving that does not divide them
  batch_split,             // micro batch does not divide the per-replica batch
  ep_experts,              // ep does not divide the experts (or exceeds them)
  ep_dp,                   // ep does not divide dp (etp x ep the stage's tp x cp x dp ranks, when folded)
  cp_seq,                  // cp does not divide the sequence (2*cp chunks for load balance)
  precision_unsupported,   // the chip has no such data type
  out_of_memory,
  collective_unplanned,    // no algorithm of the chip's collective runtime applies to a communicator
  package_unfit,           // the chip's dies and HBM do not fit its packaging technology
  vpp_without_pp,          // interleaving (vpp > 1) needs a pipeline (pp > 1)
  not_applicable,          // a switch for a part the model lacks (MoE switches on a dense model, MLA's on other attention)
};
const char* infeasibility_name(Infeasibility r);

}  // namespace rackscope::workload
