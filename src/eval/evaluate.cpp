#include "eval/evaluate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "compute/roofline.hpp"
#include "workload/counts.hpp"
#include "workload/layer_work.hpp"
#include "workload/memory.hpp"
#include "workload/placement.hpp"

namespace rackscope::eval {
using collective::Op;
using workload::Execution;
using workload::Infeasibility;
using workload::LayerWork;
using workload::ModelSpec;
using workload::Recompute;

namespace {

Report infeasible(Infeasibility why, std::string detail) {
  Report r;
  r.reason = why;
  r.detail = std::move(detail);
  return r;
}

// Dense peak of the chip's GEMMs in precision `p` (0: the chip has no such path).
double precision_flops(const hw::Chip& chip, workload::Precision p) {
  switch (p) {
    case workload::Precision::bf16: return chip.bf16_flops;
    case workload::Precision::fp8: return chip.fp8_flops;
    case workload::Precision::mxfp8: return chip.mxfp8_flops;
    case workload::Precision::mxfp4: return chip.mxfp4_flops;
  }
  return 0;
}

// Structural checks before any cost is computed.
Report check(const ModelSpec& m, const Execution& e, int ranks, int seq, const hw::Chip& chip) {
  const long long product = static_cast<long long>(e.tp) * e.cp * e.pp * e.dp;
  if (product != ranks)
    return infeasible(Infeasibility::ranks_mismatch,
                      fmt::format("tp*cp*pp*dp = {}*{}*{}*{} = {} but the cluster has {} ranks", e.tp, e.cp, e.pp, e.dp, product, ranks));
  if (m.heads % e.tp != 0 || (m.kv_heads % e.tp != 0 && e.tp % m.kv_heads != 0))
    return infeasible(Infeasibility::tp_heads, fmt::format("tp {} does not divide {} heads / {} KV heads", e.tp, m.heads, m.kv_heads));
  if (m.layers < e.pp * e.vpp || (e.vpp > 1 && m.layers % (e.pp * e.vpp) != 0))
    return infeasible(Infeasibility::pp_layers, fmt::format("pp*vpp = {} {} {} layers", e.pp * e.vpp,
                                                            m.layers < e.pp * e.vpp ? "exceeds" : "does not divide (interleaved)", m.layers));
  if (e.global_batch % (e.dp * e.micro_batch) != 0)
    return infeasible(Infeasibility::batch_split, fmt::format("micro batch {} x dp {} does not divide the global batch {}",
                                                              e.micro_batch, e.dp, e.global_batch));
  if (e.vpp > 1 && (e.global_batch / (e.dp * e.micro_batch)) % e.pp != 0)
    return infeasible(Infeasibility::batch_split, "interleaving needs the micro-batch count to be a multiple of pp");
  if (e.ep > 1 && (m.moe.experts == 0 || e.ep > m.moe.experts || m.moe.experts % e.ep != 0))
    return infeasible(Infeasibility::ep_experts, fmt::format("ep {} does not divide {} experts", e.ep, m.moe.experts));
  if (e.dp % e.ep != 0) return infeasible(Infeasibility::ep_dp, fmt::format("ep {} does not divide dp {}", e.ep, e.dp));
  if (seq % (2 * e.cp) != 0 && e.cp > 1)
    return infeasible(Infeasibility::cp_seq, fmt::format("cp {} needs the sequence {} in 2*cp equal chunks", e.cp, seq));
  if (precision_flops(chip, e.precision) <= 0)
    return infeasible(Infeasibility::precision_unsupported, fmt::format("{} has no {} rate", chip.name, workload::precision_name(e.precision)));
  return {};
}

// Seconds of one layer's forward, backward and recompute on one rank.
struct LayerTimes {
  double fwd = 0, bwd = 0, recompute = 0;
  double gemm_fwd = 0, attention_fwd = 0;  // for overlap windows
  // Forward time of the GEMMs reading the gathered hidden stream into attention and into the
  // FFN; their data- and weight-gradient GEMMs in backward take as long each.
  double attention_input_gemm = 0, ffn_input_gemm = 0;
};

LayerTimes layer_times(const LayerWork& w, const compute::Profile& p, const compute::RankRates& r, Recompute rc) {
  using namespace compute;
  // GEMMs one by one (efficiency depends on each one's size); backward runs a data- and a
  // weight-gradient GEMM of the same size for each.
  LayerTimes t;
  for (const workload::Gemm& g : w.gemms) {
    const double s = gemm_time(p, r, g.rows, g.out, g.in, g.bytes, g.copies);
    t.gemm_fwd += s;
    if (g.reads == workload::Gemm::Input::attention) t.attention_input_gemm += s;
    if (g.reads == workload::Gemm::Input::ffn) t.ffn_input_gemm += s;
  }
  auto attn = [&](double scale) {
    if (w.attention.kernels == 0) return 0.0;
    return std::max(scale * w.attention.flops / (r.flops * p.attention_efficiency),
                    scale * w.attention.bytes / (r.hbm_Bps * p.memory_efficiency)) +
           w.attention.kernels * p.matmul_overhead_s;
  };
  auto ew = [&](double scale, const workload::KernelWork& k) {
    return scale * k.bytes / (r.hbm_Bps * p.memory_efficiency) + k.kernels * p.elementwise_overhead_s;
  };
  t.attention_fwd = attn(1);
  t.fwd = t.gemm_fwd + t.attention_fwd + ew(1, w.elementwise);
  // Backward: FlashAttention-2's backward is 2.5x its forward (it recomputes the scores);
  // elementwise backward touches twice the bytes.
  t.bwd = 2 * t.gemm_fwd + attn(p.flash_attention ? 2.5 : 2) + ew(2, w.elementwise);
  if (rc == Recompute::full) t.recompute = t.fwd;
  // Selective: the attention core only (Korthikanti et al. 2022, sec. 5): QK^T, softmax, its
  // dropout and AV; unfused, the softmax and dropout are kernels of their own on the scores.
  if (rc == Recompute::selective) t.recompute = t.attention_fwd + ew(1, w.score_elementwise);
  return t;
}

// Seconds a collective of `comm` seconds adds when it runs alongside `window` seconds of compute
// that it slows by taking `share` of the rank's compute: the compute advances at 1 - share while
// both run, so the pair takes max(comm, window + share * comm).
double exposed_behind(double comm, double window, double share) { return std::max(comm - window, share * comm); }

// Exposed seconds of one layer's TP communication per micro-batch. Forward: with sequence
// parallelism an all-gather before and a reduce-scatter after each of the attention and FFN
// blocks, without it an all-reduce after each (Korthikanti et al. 2022, sec. 4.2.2). Backward
// mirrors it, and with sequence parallelism the column-parallel GEMMs' inputs are gathered again
// for their weight gradients. Megatron-LM's and NeuronX Distributed's LinearWithAsyncCommunication
// issue that re-gather before the data-gradient GEMM and the input-gradient reduce-scatter (or
// all-reduce) before the weight-gradient GEMM, so each hides behind a GEMM as long as the block's
// forward input GEMMs (`overlap_tp_backward`). `overlap_tp` hides everything the layer's GEMMs
// can cover (collective-matmul kernels). Full recompute repeats the forward's collectives.
double tp_exposed(const Execution& e, const LayerTimes& t, double share, double ag, double rs, double ar) {
  const double windows[2] = {t.attention_input_gemm, t.ffn_input_gemm};
  auto hidden = [&](double comm, double gemm) { return e.overlap_tp_backward ? exposed_behind(comm, gemm, share) : comm; };
  double fwd, bwd = 0;
  if (e.sequence_parallel) {
    fwd = 2 * ag + 2 * rs;
    bwd = 2 * ag;  // the row-parallel GEMMs' output gradients, needed before anything else
    for (double g : windows) bwd += hidden(ag, g) + hidden(rs, g);
  } else {
    fwd = 2 * ar;
    for (double g : windows) bwd += hidden(ar, g);
  }
  const double total = fwd + bwd + (e.recompute == Recompute::full ? fwd : 0);
  return e.overlap_tp ? exposed_behind(total, 3 * t.gemm_fwd, share) : total;
}

}  // namespace

Report evaluate(const System& sys, const ModelSpec& m, const Execution& e) {
  const auto& chip = sys.fabric.spec().rack.chip;
  const auto& prof = sys.profile;
  const int ranks = sys.fabric.endpoints();
  const int seq = e.seq > 0 ? e.seq : m.seq;
  if (Report bad = check(m, e, ranks, seq, chip); !bad.feasible()) return bad;

  const int micro_batches = e.global_batch / (e.dp * e.micro_batch);
  const bool flash = prof.flash_attention;
  const double peak = precision_flops(chip, e.precision);
  const compute::RankRates rate{peak / chip.ranks_per_chip, chip.hbm_bandwidth_Bps / chip.ranks_per_chip};

  Report rep;
  rep.micro_batches = micro_batches;
  // Memory first: an execution that does not fit is not timed.
  rep.memory_per_rank = workload::memory_per_rank(m, e, seq, flash, micro_batches);
  rep.memory_per_chip_B = rep.memory_per_rank.total() * chip.ranks_per_chip;
  rep.memory_capacity_B = chip.hbm_capacity_B;
  if (rep.memory_per_chip_B > chip.hbm_capacity_B) {
    Report r = infeasible(Infeasibility::out_of_memory,
                          fmt::format("needs {:.1f} GiB per chip, {:.1f} GiB over the {:.1f} GiB of HBM", rep.memory_per_chip_B / (1 << 30),
                                      (rep.memory_per_chip_B - chip.hbm_capacity_B) / (1 << 30), chip.hbm_capacity_B / (1 << 30)));
    r.memory_per_rank = rep.memory_per_rank;
    r.memory_per_chip_B = rep.memory_per_chip_B;
    r.memory_capacity_B = rep.memory_capacity_B;
    return r;
  }

  // Siblings of a communicator contend where they share its rack (its chips' ports, the rack's NICs).
  const workload::Placement place = workload::place(e, sys.fabric.chips_per_rack() * chip.ranks_per_chip);
  const double share = chip.collectives.overlap_compute_share;
  auto coll = [&](Op op, const collective::Group& g, double bytes) {
    if (g.size() < 2 || bytes <= 0) return 0.0;
    return sys.planner.best(op, g, bytes)->time_s;
  };

  // Per micro-batch, per stage: compute of every layer on the stage, and the exposed
  // communication of TP, CP and EP inside those layers. Layers differ only as dense or MoE.
  const int per_stage = workload::stage_layers(m, e, 0).second;  // the first stage is the largest
  const double tokens = e.micro_batch * static_cast<double>(seq) / e.cp;
  const double act = 2;  // bytes per activation element on the wire
  double compute_s = 0, recompute_s = 0, tp_s = 0, cp_s = 0, ep_s = 0;
  double worst_stage_compute = 0, worst_stage_comm = 0;
  double last_layer_bwd = 0;
  const std::vector<int> stages = e.pp > 1 ? std::vector<int>{0, e.pp - 1} : std::vector<int>{0};
  // Layers differ only as dense or MoE: each kind is costed once (work, roofline and the
  // collectives of its communicators), then added up layer by layer over each stage.
  struct LayerCost {
    bool ready = false;
    LayerTimes t;
    double tp = 0, cp = 0, ep = 0;
  };
  LayerCost kinds[2];
  auto layer_cost = [&](int l) -> const LayerCost& {
    const bool moe = m.moe.experts > 0 && l >= m.moe.dense_layers;
    LayerCost& k = kinds[moe];
    if (k.ready) return k;
    k.ready = true;
    const LayerWork w = workload::layer_forward(m, l, e, seq, flash);
    k.t = layer_times(w, prof, rate, e.recompute);
    if (e.tp > 1) {
      const double bytes = tokens * m.hidden * act;
      const bool sp = e.sequence_parallel;
      k.tp = tp_exposed(e, k.t, share, sp ? coll(Op::allgather, place.tp, bytes) : 0, sp ? coll(Op::reducescatter, place.tp, bytes) : 0,
                        sp ? 0 : coll(Op::allreduce, place.tp, bytes));
    }
    // CP (ring attention): cp-1 exchanges of the local K and V forward, twice as many
    // backward (dK, dV travel too), hidden behind the attention core where it is long enough.
    if (e.cp > 1) {
      const double kv = std::max(m.kv_heads / static_cast<double>(e.tp), 1.0) * m.head_dim;
      const double step = coll(Op::sendrecv, place.cp, 2 * tokens * kv * act);
      k.cp = exposed_behind((e.cp - 1) * step, k.t.attention_fwd, share) + exposed_behind(2 * (e.cp - 1) * step, 2.5 * k.t.attention_fwd, share);
    }
    // EP: dispatch and combine all-to-alls forward and backward of every MoE layer.
    if (e.ep > 1 && w.moe_tokens > 0) k.ep = 4 * coll(Op::alltoall, place.ep, w.moe_tokens * m.hidden * act);
    return k;
  };
  for (int stage : stages) {
    double c = 0, rc = 0, comm_tp = 0, comm_cp = 0, comm_ep = 0;
    const auto [first_layer, last_layer] = workload::stage_layers(m, e, stage);
    for (int l = first_layer; l < last_layer; ++l) {
      const LayerCost& k = layer_cost(l);
      c += k.t.fwd + k.t.bwd;
      rc += k.t.recompute;
      last_layer_bwd = k.t.bwd;
      comm_tp += k.tp;
      comm_cp += k.cp;
      comm_ep += k.ep;
    }
    // The output head, loss and its backward on the last stage; embedding lookups are small.
    if (stage == e.pp - 1) {
      const LayerWork head = workload::head_forward(m, e, seq);
      const LayerTimes t = layer_times(head, prof, rate, Recompute::none);
      c += t.fwd + t.bwd;
    }
    const double total = c + rc + comm_tp + comm_cp + comm_ep;
    if (total > worst_stage_compute + worst_stage_comm) {
      worst_stage_compute = c + rc;
      worst_stage_comm = comm_tp + comm_cp + comm_ep;
      compute_s = c;
      recompute_s = rc;
      tp_s = comm_tp;
      cp_s = comm_cp;
      ep_s = comm_ep;
    }
  }
  // PP: each micro-batch crosses each stage boundary forward and backward (once per model chunk
  // when interleaved); with sequence parallelism only the local 1/tp of the activations is sent.
  double pp_s = 0;
  if (e.pp > 1) {
    const double bytes = tokens * m.hidden * act / (e.sequence_parallel ? e.tp : 1);
    pp_s = 2.0 * e.vpp * coll(Op::sendrecv, place.pp_pair, bytes);
  }
  const double per_mb = compute_s + recompute_s + tp_s + cp_s + ep_s + pp_s;
  // 1F1B pipeline: m micro-batches plus a bubble of (pp-1)/vpp micro-batch times (Narayanan et
  // al. 2021, sec. 2.2).
  const double bubble_s = (e.pp - 1.0) / e.vpp * per_mb;

  // DP: gradients reduced once per step (all-reduce; reduce-scatter + parameter all-gather with
  // ZeRO 1/2); ZeRO-3 gathers parameters per layer per micro-batch and reduce-scatters gradients.
  const double params = workload::stage_params_per_rank(m, e, 0);
  workload::StateBytes state;
  double dp_s = 0, zero3_s = 0;
  if (e.dp > 1) {
    const double grads = params * state.gradients;
    if (e.zero == 0) {
      dp_s = coll(Op::allreduce, place.dp, grads);
    } else if (e.zero <= 2) {
      dp_s = coll(Op::reducescatter, place.dp, grads) + coll(Op::allgather, place.dp, params * state.weights);
    } else {
      const double per_layer = params / per_stage * state.weights;
      const double gather = coll(Op::allgather, place.dp, per_layer);
      const double rs = coll(Op::reducescatter, place.dp, params / per_stage * state.gradients);
      const double window = (compute_s + recompute_s) / per_stage;
      const double exposed = e.overlap_param_gather ? exposed_behind(2 * gather + rs, window, share) : 2 * gather + rs;
      zero3_s = exposed * per_stage * micro_batches;
    }
    // Overlapped with the backward of the last micro-batch when the framework does so.
    if (e.overlap_dp) dp_s = exposed_behind(dp_s, last_layer_bwd * per_stage, share);
  }
  // Optimizer: Adam reads fp32 master, m, v and gradient and writes master, m, v and the 16-bit
  // weight: 30 bytes per parameter the rank updates, at HBM speed.
  const double updated = params / (e.zero >= 1 ? e.dp : 1);
  const double optimizer_s = compute::elementwise_time(prof, rate, 30 * updated);

  rep.breakdown = {
      {"compute", compute_s * micro_batches},
      {"recompute", recompute_s * micro_batches},
      {"tp_comm", tp_s * micro_batches},
      {"cp_comm", cp_s * micro_batches},
      {"ep_comm", ep_s * micro_batches},
      {"pp_comm", pp_s * micro_batches},
      {"pp_bubble", bubble_s},
      {"dp_comm", dp_s + zero3_s},
      {"optimizer", optimizer_s},
      {"overhead", prof.step_overhead_s},
  };
  rep.step_time_s = 0;
  double worst = -1;
  for (const auto& [name, s] : rep.breakdown) {
    rep.step_time_s += s;
    if (s > worst) worst = s, rep.dominant = name;
  }
  const double tokens_per_step = static_cast<double>(e.global_batch) * seq;
  rep.tokens_per_s = tokens_per_step / rep.step_time_s;
  rep.model_flops = workload::model_flops_per_token(m, seq) * tokens_per_step;
  // Hardware FLOPs add what recompute re-executes: the whole forward (full) or the attention
  // core (selective); forward = a third of the model FLOPs.
  double recompute_flops = 0;
  if (e.recompute == Recompute::full) recompute_flops = rep.model_flops / 3;
  if (e.recompute == Recompute::selective)
    recompute_flops = 4.0 * m.layers * tokens_per_step * seq * m.heads * m.head_dim;  // QK^T + AV, forward
  rep.hardware_flops = rep.model_flops + recompute_flops;
  const double cluster_peak = peak / chip.ranks_per_chip * ranks;
  rep.mfu = rep.model_flops / rep.step_time_s / cluster_peak;
  rep.hfu = rep.hardware_flops / rep.step_time_s / cluster_peak;
  return rep;
}

}  // namespace rackscope::eval
