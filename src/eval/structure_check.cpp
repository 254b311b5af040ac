// Checks of an execution against the model, the cluster and the chip, before any cost.
#include <fmt/format.h>

#include "eval/step_parts.hpp"
#include "workload/pipeline_layout.hpp"

namespace rackscope::eval {
using workload::Infeasibility;

Report infeasible(Infeasibility why, std::string detail) {
  Report r;
  r.reason = why;
  r.detail = std::move(detail);
  return r;
}

double precision_flops(const hw::Chip& chip, workload::Precision p) { return chip.flops[p]; }

compute::RankRates rank_rates(const hw::Chip& chip, workload::Precision gemm, workload::Precision attention) {
  const double ranks = chip.ranks_per_chip;
  return {precision_flops(chip, gemm) / ranks, chip.hbm_bandwidth_Bps / ranks, precision_flops(chip, attention) / ranks,
          hw::info(gemm).block > 0, hw::sixteen_bit(gemm)};
}

workload::Precision attention_precision(const workload::Execution& e) {
  if (!hw::narrow_gemm(e.precision)) return e.precision;
  return e.fp8_attention ? workload::Precision::fp8 : workload::Precision::bf16;
}

Report check_package(const hw::Chip& chip) {
  if (!chip.package || chip.package->fits) return {};
  const auto& problems = chip.package->problems;
  std::string detail = hw::problem_line(chip.file, problems.front());
  if (problems.size() > 1) detail += fmt::format(" (and {} more: rackscope chip --check)", problems.size() - 1);
  return infeasible(Infeasibility::package_unfit, detail);
}

Report check_structure(const workload::ModelSpec& m, const workload::Execution& e, int ranks, int seq, const hw::Chip& chip) {
  if (Report bad = check_package(chip); !bad.feasible()) return bad;
  // Degrees are checked one by one (knob table ranges); their product may still pass 2^63.
  long long product = 1;
  bool overflow = false;
  for (const int d : {e.tp, e.cp, e.pp, e.dp}) overflow = overflow || __builtin_mul_overflow(product, static_cast<long long>(d), &product);
  if (overflow || product != ranks)
    return infeasible(Infeasibility::ranks_mismatch,
                      fmt::format("tp*cp*pp*dp = {}*{}*{}*{} = {} but the cluster has {} ranks", e.tp, e.cp, e.pp, e.dp,
                                  overflow ? std::string("more than 2^63") : std::to_string(product), ranks));
  if (m.heads % e.tp != 0 || (m.kv_heads % e.tp != 0 && e.tp % m.kv_heads != 0))
    return infeasible(Infeasibility::tp_heads, fmt::format("tp {} does not divide {} heads / {} KV heads", e.tp, m.heads, m.kv_heads));
  const int64_t pp_vpp = int64_t{e.pp} * e.vpp, dp_mbs = int64_t{e.dp} * e.micro_batch;  // products of knobs: 64 bits
  // Interleaving splits each stage's layers into chunks run in turn; with one stage there is no
  // pipeline to fill, and every vpp would be the same run again.
  if (e.vpp > 1 && e.pp == 1) return infeasible(Infeasibility::vpp_without_pp, fmt::format("vpp {} needs pp > 1", e.vpp));
  // The embedding and the loss, counted in the pipeline split, take a chunk's slot like a layer.
  const int64_t slots = int64_t{m.layers} + (e.embedding_stage ? 1 : 0) + (e.loss_stage ? 1 : 0);
  if (slots < pp_vpp)
    return infeasible(Infeasibility::pp_layers, fmt::format("pp*vpp = {} exceeds {} layers{}", pp_vpp, m.layers,
                                                            slots > m.layers ? fmt::format(" (+{} for the embedding and the loss)", slots - m.layers) : ""));
  if (const auto layout = workload::pipeline_layout(m, e); !layout.problem.empty())
    return infeasible(Infeasibility::pp_layers, layout.problem);
  if (e.global_batch % dp_mbs != 0)
    return infeasible(Infeasibility::batch_split, fmt::format("micro batch {} x dp {} does not divide the global batch {}",
                                                              e.micro_batch, e.dp, e.global_batch));
  if (e.vpp > 1 && (e.global_batch / dp_mbs) % e.pp != 0)
    return infeasible(Infeasibility::batch_split, "interleaving needs the micro-batch count to be a multiple of pp");
  if (e.ep > 1 && m.moe.experts == 0)
    return infeasible(Infeasibility::ep_experts, fmt::format("ep {} needs experts, and {} is a dense model (no [moe] table)", e.ep, m.name));
  if (e.ep > 1 && (e.ep > m.moe.experts || m.moe.experts % e.ep != 0))
    return infeasible(Infeasibility::ep_experts, fmt::format("ep {} does not divide {} experts", e.ep, m.moe.experts));
  if (!workload::expert_grid_folded(e)) {
    if (e.dp % e.ep != 0) return infeasible(Infeasibility::ep_dp, fmt::format("ep {} does not divide dp {}", e.ep, e.dp));
  } else {
    // Megatron-Core builds the folded expert grid from a pipeline stage's ranks (its expert
    // RankGenerator, order tp-ep-dp-pp): they must be contiguous and tiled by etp x ep.
    const int64_t stage = int64_t{e.tp} * e.cp * e.dp, block = int64_t{e.etp} * e.ep;
    if (stage % block != 0)
      return infeasible(Infeasibility::ep_dp, fmt::format("etp {} x ep {} does not divide the stage's tp x cp x dp = {} ranks",
                                                          e.etp, e.ep, stage));
    if (e.pp > 1 && e.order.back() != "pp")
      return infeasible(Infeasibility::ep_dp, fmt::format("etp {} (other than tp {}) folds EP over a pipeline stage's ranks: "
                                                          "pp must be outermost in the rank order", e.etp, e.tp));
  }
  // Switches for parts the model does not have are refused, not silently ignored.
  if (m.moe.experts == 0) {
    const char* moe_switch = e.moe_dispatcher == workload::MoeDispatcher::flex ? "moe_dispatcher flex"
                             : e.overlap_ep                                     ? "overlap_ep"
                             : e.recompute_moe_act                              ? "recompute_moe_act"
                             : e.recompute_moe                                  ? "recompute_moe"
                             : workload::expert_grid_folded(e)                  ? "etp other than tp"
                                                                                : nullptr;
    if (moe_switch) return infeasible(Infeasibility::not_applicable, fmt::format("{} needs an MoE model ({} has no experts)", moe_switch, m.name));
  }
  if (e.recompute_mlp && workload::dense_ffn_layers(m) == 0)
    return infeasible(Infeasibility::not_applicable, fmt::format("recompute_mlp needs dense FFN layers ({} has experts in every layer)", m.name));
  if (e.recompute_shared_experts && m.moe.shared_experts == 0)
    return infeasible(Infeasibility::not_applicable, fmt::format("recompute_shared_experts needs shared experts ({} has none)", m.name));
  if (e.recompute_layernorm && m.moe.experts == 0 && m.attention != workload::Attention::mla)
    return infeasible(Infeasibility::not_applicable,
                      fmt::format("recompute_layernorm needs a norm apart from a GEMM, an MoE layer's or MLA's ({} has neither)", m.name));
  if (e.recompute_mla_up_proj && m.attention != workload::Attention::mla)
    return infeasible(Infeasibility::not_applicable, fmt::format("recompute_mla_up_proj needs MLA attention ({} has none)", m.name));
  if (seq % (2 * e.cp) != 0 && e.cp > 1)
    return infeasible(Infeasibility::cp_seq, fmt::format("cp {} needs the sequence {} in 2*cp equal chunks", e.cp, seq));
  if (precision_flops(chip, e.precision) <= 0)
    return infeasible(Infeasibility::precision_unsupported, fmt::format("{} has no {} rate", chip.name, workload::precision_name(e.precision)));
  if (e.fp8_params && !hw::narrow_gemm(e.precision))
    return infeasible(Infeasibility::precision_unsupported,
                      fmt::format("fp8_params needs 8-bit GEMMs, not {}", workload::precision_name(e.precision)));
  if (e.fp8_current_scaling && e.precision != workload::Precision::fp8)
    return infeasible(Infeasibility::precision_unsupported,
                      fmt::format("fp8_current_scaling needs per-tensor fp8 GEMMs, not {}", workload::precision_name(e.precision)));
  if (precision_flops(chip, attention_precision(e)) <= 0)
    return infeasible(Infeasibility::precision_unsupported, fmt::format("{} has no {} rate for the attention core", chip.name,
                                                                        workload::precision_name(attention_precision(e))));
  return {};
}

}  // namespace rackscope::eval
