// Rates of a timed step: tokens per second, model and hardware FLOPs, MFU and HFU.
#include "eval/step_parts.hpp"
#include "workload/counts.hpp"

namespace rackscope::eval {
using workload::Recompute;

void account_flops(Report& rep, const StepContext& c, const workload::ModelSpec& m, const workload::Execution& e) {
  const double tokens_per_step = static_cast<double>(e.global_batch) * c.seq;
  rep.tokens_per_s = tokens_per_step / rep.step_time_s;
  rep.model_flops = workload::model_flops_per_token(m, c.seq) * tokens_per_step;
  // Hardware FLOPs add what recompute re-executes: the whole forward (full) or the attention
  // core (selective); forward = a third of the model FLOPs. The experts' activation
  // (recompute_moe_act) is elementwise: no FLOPs counted.
  double recompute_flops = 0;
  if (e.recompute == Recompute::full) recompute_flops = rep.model_flops / 3;
  if (e.recompute == Recompute::selective)
    recompute_flops = 4.0 * m.layers * tokens_per_step * c.seq * m.heads * m.head_dim;  // QK^T + AV, forward
  // MLA's up-projections, recomputed on their own: their two GEMMs' forward again.
  if (e.recompute != Recompute::full && e.recompute_mla_up_proj && m.attention == workload::Attention::mla) {
    const auto& a = m.mla;
    recompute_flops += 2.0 * m.layers * tokens_per_step * m.heads *
                       (static_cast<double>(a.q_lora_rank) * (a.qk_nope_dim + a.qk_rope_dim) + static_cast<double>(a.kv_lora_rank) * (a.qk_nope_dim + a.v_head_dim));
  }
  // The dense MLPs, recomputed on their own (recompute_mlp): their GEMMs' forward again.
  if (e.recompute != Recompute::full && e.recompute_mlp)
    recompute_flops += 2.0 * workload::dense_ffn_layers(m) * tokens_per_step * m.hidden * m.ffn * workload::ffn_matrices(m);
  // MoE layers recomputed on their own: the whole block (recompute_moe: the router and the experts
  // a token uses), or only the shared experts (recompute_shared_experts): their GEMMs' forward again.
  if (e.recompute != Recompute::full && m.moe.experts > 0 && (e.recompute_moe || e.recompute_shared_experts)) {
    const double expert = static_cast<double>(m.moe.expert_ffn) * workload::ffn_matrices(m);
    const double per_token = e.recompute_moe ? m.moe.experts + (m.moe.top_k + m.moe.shared_experts) * expert : m.moe.shared_experts * expert;
    recompute_flops += 2.0 * (m.layers - workload::dense_ffn_layers(m)) * tokens_per_step * m.hidden * per_token;
  }
  // Multi-token prediction runs outside the model FLOPs' convention (DeepSeek-V3's 37B active
  // parameters leave it out) but on the hardware: each module's layer and projection, attention
  // as the layers count it, and one more pass of the output head.
  const double attn_dim = static_cast<double>(m.heads) * m.head_dim;
  const double mtp_flops = m.mtp_depth * tokens_per_step *
                           (6 * (workload::mtp_module_params(m).active + static_cast<double>(m.vocab) * m.hidden) + 12.0 * attn_dim * c.seq);
  rep.hardware_flops = rep.model_flops + recompute_flops + mtp_flops;
  const double cluster_peak = c.peak_flops / c.chip.ranks_per_chip * c.ranks;
  rep.mfu = rep.model_flops / rep.step_time_s / cluster_peak;
  rep.hfu = rep.hardware_flops / rep.step_time_s / cluster_peak;
}

}  // namespace rackscope::eval
