#include "workload/knobs.hpp"

#include <algorithm>

#include "workload/cross_entropy.hpp"

namespace rackscope::workload {
namespace {
Knob integer(std::string name, std::string flag, int Execution::*field, int64_t min, int64_t max, std::string units, std::string help) {
  Knob k{std::move(name), Knob::Kind::integer, min, max, {}, std::move(units), std::move(flag), std::move(help)};
  k.integer = field;
  return k;
}

Knob boolean(std::string name, std::string flag, bool Execution::*field, std::string help) {
  Knob k{std::move(name), Knob::Kind::boolean, 0, 1, {}, "1 = on", std::move(flag), std::move(help)};
  k.boolean = field;
  return k;
}

Knob choice(std::string name, std::string flag, std::vector<std::string> choices, std::string help, std::string unknown,
            void (*set)(Execution&, int)) {
  Knob k{name, Knob::Kind::choice, 0, 0, std::move(choices), "index into /space/" + name, std::move(flag), std::move(help)};
  k.set_choice = set;
  k.unknown_choice = std::move(unknown);
  return k;
}

Knob required(Knob k) {
  k.step_required = true;
  return k;
}

std::vector<Knob> table() {
  return {
      integer("tp", "--tp", &Execution::tp, 1, 1 << 20, "ranks", "tensor-parallel degree (ranks)"),
      integer("pp", "--pp", &Execution::pp, 1, 1 << 20, "stages", "pipeline-parallel degree"),
      integer("dp", "--dp", &Execution::dp, 1, 1 << 24, "replicas", "data-parallel degree (default: ranks / (tp*cp*pp))"),
      integer("cp", "--cp", &Execution::cp, 1, 1 << 20, "ranks", "context-parallel degree"),
      integer("ep", "--ep", &Execution::ep, 1, 1 << 20, "ranks", "expert-parallel degree (carved out of dp)"),
      integer("etp", "--etp", &Execution::etp, 0, 1 << 20, "ranks",
              "expert tensor-parallel degree (0: tp; other values fold EP over the stage's TP, CP and DP ranks)"),
      integer("vpp", "--vpp", &Execution::vpp, 1, 1 << 10, "chunks per stage", "model chunks per pipeline stage (interleaved 1F1B)"),
      integer("zero", "--zero", &Execution::zero, 0, 3, "ZeRO stage", "ZeRO stage 0-3"),
      integer("micro_batch", "--mbs", &Execution::micro_batch, 1, 1 << 24, "sequences", "micro batch (sequences)"),
      required(integer("global_batch", "--gbs", &Execution::global_batch, 1, 1 << 30, "sequences", "global batch (sequences)")),
      integer("seq", "--seq", &Execution::seq, 1, 1 << 24, "tokens", "sequence length (default: the model's)"),
      choice("recompute", "--recompute", {"none", "selective", "full"}, "none, selective or full", "unknown recompute mode",
             [](Execution& e, int i) { e.recompute = static_cast<Recompute>(i); }),
      boolean("recompute_mla_up_proj", "--recompute-mla-up-proj", &Execution::recompute_mla_up_proj,
              "MLA's up-projections recomputed in the backward: Q, K, V not kept (recompute_modules mla_up_proj)"),
      boolean("recompute_moe_act", "--recompute-moe-act", &Execution::recompute_moe_act,
              "routed experts' activation recomputed in the backward: its output not kept (recompute_modules moe_act)"),
      boolean("recompute_mlp", "--recompute-mlp", &Execution::recompute_mlp,
              "dense layers' MLP recomputed in the backward: only its input kept (recompute_modules mlp)"),
      boolean("recompute_layernorm", "--recompute-layernorm", &Execution::recompute_layernorm,
              "norms apart from a GEMM (MoE layers' pre-MLP norm, MLA's input norm) recomputed in the backward: their outputs not kept "
              "(recompute_modules layernorm)"),
      boolean("recompute_shared_experts", "--recompute-shared-experts", &Execution::recompute_shared_experts,
              "MoE layers' shared experts recomputed in the backward: only their input kept (recompute_modules shared_experts)"),
      boolean("recompute_moe", "--recompute-moe", &Execution::recompute_moe,
              "MoE layers' MoE block recomputed in the backward, all-to-alls included: only its input kept (recompute_modules moe)"),
      choice("moe_dispatcher", "--moe-dispatcher", {"alltoall", "flex"},
             "alltoall (a copy per token-expert pair) or flex (DeepEP: a copy per destination rack over the network)",
             "unknown MoE dispatcher", [](Execution& e, int i) { e.moe_dispatcher = static_cast<MoeDispatcher>(i); }),
      choice("cross_entropy", "--cross-entropy", cross_entropy_names(),
             "the loss over the vocabulary: unfused (Megatron-Core's vocab_parallel_cross_entropy), fused (its TorchScript-fused one, "
             "cross_entropy_loss_fusion) or te (Transformer Engine's Triton kernels, cross_entropy_fusion_impl te)",
             "unknown cross-entropy kernel", [](Execution& e, int i) { e.cross_entropy = static_cast<CrossEntropy>(i); }),
      choice("precision", "--precision", hw::selectable_precision_names(), hw::selectable_precision_list(), "unknown precision",
             [](Execution& e, int i) {
               static const std::vector<Precision> selectable = hw::selectable_precisions();
               e.precision = selectable[i];
             }),
      choice("grad_reduce", "--grad-reduce", hw::state_format_names(), "gradient buffer and DP reduction dtype: " + hw::state_format_list(),
             "unknown gradient dtype",
             [](Execution& e, int i) {
               static const std::vector<Precision> formats = hw::state_formats();
               e.grad_reduce = formats[i];
             }),
      choice("optimizer_states", "--optimizer-states", hw::state_format_names(),
             "Adam state dtype: fp32 (with an fp32 master) or bf16 (stochastic rounding, no master)", "unknown optimizer state dtype",
             [](Execution& e, int i) {
               static const std::vector<Precision> formats = hw::state_formats();
               e.optimizer_states = formats[i];
             }),
      boolean("fp8_params", "--fp8-params", &Execution::fp8_params, "8-bit GEMMs: weights kept and gathered in the GEMM format"),
      boolean("fp8_current_scaling", "--fp8-current-scaling", &Execution::fp8_current_scaling,
              "fp8 GEMMs scaled per tensor from the tensor itself: an amax pass before each cast (default: delayed scaling)"),
      boolean("fp8_attention", "--fp8-attention", &Execution::fp8_attention, "attention core in fp8 (default: bf16)"),
      integer("first_stage_layers", "--first-stage-layers", &Execution::first_stage_layers, 0, 1 << 20, "layers",
              "layers of the first pipeline stage (0: even split)"),
      integer("last_stage_layers", "--last-stage-layers", &Execution::last_stage_layers, 0, 1 << 20, "layers",
              "layers of the last pipeline stage (0: even split)"),
      boolean("embedding_stage", "--embedding-stage", &Execution::embedding_stage, "count the embedding as a layer of the pipeline split"),
      boolean("loss_stage", "--loss-stage", &Execution::loss_stage, "count the output head and loss as a layer of the pipeline split"),
      integer("dp_bucket_params", "--dp-bucket", &Execution::dp_bucket_params, 0, 1 << 30, "parameters",
              "gradient bucket of the overlapped DP reduction (parameters; 0: max(40M, 1M x dp x cp) as Megatron-LM)"),
      boolean("sequence_parallel", "--seq-parallel", &Execution::sequence_parallel, "sequence parallelism with TP"),
      boolean("overlap_dp", "--no-overlap-dp", &Execution::overlap_dp, "gradient reduction after the backward, not overlapped"),
      boolean("overlap_tp", "--overlap-tp", &Execution::overlap_tp, "overlap each TP collective with the GEMM it feeds (collective matmul; scale-up domain only)"),
      boolean("overlap_param_gather", "--no-overlap-param-gather", &Execution::overlap_param_gather,
              "ZeRO parameter gathers not overlapped with compute (ZeRO-3: each layer; 1/2: the next step's forward)"),
      boolean("overlap_tp_backward", "--no-overlap-tp-backward", &Execution::overlap_tp_backward,
              "backward TP re-gather and input-gradient reduction not hidden behind the gradient GEMMs"),
      boolean("graph_capture", "--graph-capture", &Execution::graph_capture,
              "kernels issued as one captured graph: no host launch bound (the profile's [launch])"),
      boolean("eager_elementwise", "--eager-elementwise", &Execution::eager_elementwise,
              "norms, RoPE and the gated activation as PyTorch eager ops (TorchTitan without torch.compile), not fused kernels"),
      boolean("grad_accumulation_fusion", "--no-grad-accumulation-fusion", &Execution::grad_accumulation_fusion,
              "weight gradients added to the main gradients by a kernel per weight each micro-batch, not by the gradient GEMM"),
      boolean("pp_scatter_gather", "--no-pp-scatter-gather", &Execution::pp_scatter_gather,
              "without sequence parallelism, each TP rank sends the whole activation between stages (no 1/tp scatter and TP gather)"),
      boolean("overlap_p2p", "--overlap-p2p", &Execution::overlap_p2p,
              "interleaved pipelines (vpp > 1): activation sends hidden behind the model chunks' compute (overlap_p2p_comm)"),
      boolean("overlap_ep", "--overlap-ep", &Execution::overlap_ep,
              "MoE all-to-alls hidden behind another micro-batch's compute in the steady 1F1B phase (overlap_moe_expert_parallel_comm)"),
      {"order", Knob::Kind::order, 0, 0, {}, "index into /space/order", "--order", "rank grid order, innermost first"},
  };
}
}  // namespace

const std::vector<Knob>& knobs() {
  static const std::vector<Knob> all = table();
  return all;
}

int find_knob(const std::string& name) {
  const auto& all = knobs();
  for (size_t i = 0; i < all.size(); ++i)
    if (all[i].name == name) return static_cast<int>(i);
  return -1;
}

std::vector<std::string> knob_names() {
  std::vector<std::string> names;
  for (const auto& k : knobs()) names.push_back(k.name);
  return names;
}

std::vector<std::string> split_order(const std::string& s) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : s + ",") {
    if (c != ',') {
      cur += c;
      continue;
    }
    parts.push_back(cur);
    cur.clear();
  }
  return parts;
}

bool is_rank_order(const std::vector<std::string>& parts) {
  std::vector<std::string> sorted = parts;
  std::sort(sorted.begin(), sorted.end());
  return sorted == std::vector<std::string>{"cp", "dp", "ep", "pp", "tp"};
}

}  // namespace rackscope::workload
