// One layer on one rank: its kernels on the roofline, then the exposed communication of its
// TP, CP and EP communicators.
#include <algorithm>

#include "eval/model_constants.hpp"
#include "eval/step_parts.hpp"
#include "workload/moe_dispatch.hpp"
#include "workload/numerics.hpp"

namespace rackscope::eval {
using collective::Op;
using workload::Execution;
using workload::Recompute;

double exposed_behind(double comm, double window, double share) { return std::max(comm - window, share * comm); }

namespace {
// The measured backward over forward time at `seq`: 2.5x the FLOPs at the ratio of the two curves.
// At `head_dim`, the backward keeps head_dim_backward of its rate where the forward time it scales
// kept head_dim_forward.
double measured_backward(const compute::Profile& p, double seq, double head_dim) {
  return flash_attention_backward_factor * compute::curve_at(p.attention_curve, seq) / compute::curve_at(p.attention_backward_curve, seq) *
         compute::head_dim_factor(p.head_dim_forward, head_dim) / compute::head_dim_factor(p.head_dim_backward, head_dim);
}
bool has_backward_curve(const compute::Profile& p, double seq) {
  return !p.attention_backward_curve.empty() && !p.attention_curve.empty() && seq > 0;
}
}  // namespace

double attention_backward(const compute::Profile& p, double seq, double head_dim) {
  if (has_backward_curve(p, seq)) return measured_backward(p, seq, head_dim);
  if (p.attention_backward_factor > 0) return p.attention_backward_factor;
  return p.flash_attention ? flash_attention_backward_factor : attention_backward_factor;
}

namespace {
// Ring attention runs blockwise (flash) kernels whatever the profile's attention kernel.
double ring_attention_backward(const compute::Profile& p, double seq, double head_dim) {
  return p.flash_attention ? attention_backward(p, seq, head_dim) : flash_attention_backward_factor;
}
}  // namespace

LayerTimes layer_times(const workload::LayerWork& w, const compute::Profile& p, const compute::RankRates& r, Recompute rc,
                       double host_per_kernel, GemmChunks chunks) {
  using namespace compute;
  using Input = workload::Gemm::Input;
  // GEMMs one by one (efficiency depends on each one's size); backward runs a data- and a
  // weight-gradient GEMM of the same size for each. A GEMM cut into n chunks of rows runs n
  // smaller GEMMs, each reading the whole weight.
  LayerTimes t;
  double gemm_bwd = 0;
  for (const workload::Gemm& g : w.gemms) {
    const double s = gemm_time(p, r, g.rows, g.out, g.in, g.bytes, g.copies);
    const double rows_bytes = g.copies * workload::activation_bytes * g.rows * (g.in + g.out);
    auto in_chunks = [&](int n) {
      if (n < 2) return s;
      return n * gemm_time(p, r, g.rows / n, g.out, g.in, g.bytes - rows_bytes + rows_bytes / n, g.copies);
    };
    const bool gathered_input = g.reads == Input::attention || g.reads == Input::ffn;
    const bool reduced_output = g.reads == Input::context || g.reads == Input::ffn_inner;
    const double fwd = gathered_input ? in_chunks(chunks.ring) : reduced_output ? in_chunks(chunks.pipeline) : s;
    const double dgrad = reduced_output ? in_chunks(chunks.ring) : s;
    t.gemm_fwd += fwd;
    gemm_bwd += dgrad + (gemm_backward_factor - 1) * s;
    if (g.reads == Input::attention) t.attention_input_gemm += fwd;
    if (g.reads == Input::ffn) t.ffn_input_gemm += fwd;
    if (g.reads == Input::context) t.attention_output_gemm += fwd;
    if (g.reads == Input::ffn_inner) t.ffn_output_gemm += fwd;
  }
  auto attn = [&](double scale) {
    if (w.attention.kernels == 0) return 0.0;
    return attention_time(p, r, scale * w.attention.flops, scale * w.attention.bytes, w.attention.kernels, w.attention_seq,
                          w.attention_causal, w.attention_head_dim);
  };
  auto ew = [&](double scale, const workload::KernelWork& k) { return elementwise_time(p, r, scale * k.bytes, k.kernels); };
  t.attention_fwd = attn(1);
  auto quantize = [&](const workload::KernelWork& k) { return k.kernels ? cast_time(p, r, k.bytes, k.kernels) : 0.0; };
  const double attention_bwd = attn(attention_backward(p, w.attention_seq, w.attention_head_dim));
  const double elementwise_fwd = ew(1, w.elementwise) + ew(1, w.ring_merge) + ew(1, w.loss);
  const double elementwise_bwd = ew(elementwise_backward_factor, w.elementwise) + ew(1, w.grad_accumulation) + ew(1, w.ring_merge_backward) +
                                 ew(1, w.loss_backward);
  const double quantize_fwd = quantize(w.casts), quantize_bwd = quantize(w.cast_backward);
  t.fwd = t.gemm_fwd + t.attention_fwd + elementwise_fwd + quantize_fwd;
  t.bwd = gemm_bwd + attention_bwd + elementwise_bwd + quantize_bwd;
  t.split[KernelClass::gemm] = t.gemm_fwd + gemm_bwd;
  t.split[KernelClass::attention] = t.attention_fwd + attention_bwd;
  t.split[KernelClass::elementwise] = elementwise_fwd + elementwise_bwd;
  t.split[KernelClass::quantization] = quantize_fwd + quantize_bwd;
  // Launch-bound: eager frameworks issue kernels from the host one by one, asynchronously, so a
  // pass takes at least its kernels' dispatch (forward: each kernel of the layer's work once;
  // backward: the kernels workload::layer_forward counts for autograd's backward).
  const int gemms = static_cast<int>(w.gemms.size());
  const double issued_fwd =
      host_per_kernel * (gemms + w.attention.kernels + w.elementwise.kernels + w.casts.kernels + w.ring_merge.kernels + w.loss.kernels);
  const double issued_bwd = host_per_kernel * w.backward_kernels;
  t.split[KernelClass::launch_bound] = std::max(issued_fwd - t.fwd, 0.0) + std::max(issued_bwd - t.bwd, 0.0);
  t.fwd = std::max(t.fwd, issued_fwd);
  t.bwd = std::max(t.bwd, issued_bwd);
  if (rc == Recompute::full) t.recompute = t.fwd;
  // Selective: the attention core only (Korthikanti et al. 2022, sec. 5): QK^T, softmax, its
  // dropout and AV; unfused, the softmax and dropout are kernels of their own on the scores.
  if (rc == Recompute::selective) t.recompute = t.attention_fwd + ew(1, w.score_elementwise);
  // Modules recomputed on their own (MLA's up-projections, the experts' activation).
  if (rc != Recompute::full) {
    for (const workload::Gemm& g : w.recompute_gemms) t.recompute += gemm_time(p, r, g.rows, g.out, g.in, g.bytes, g.copies);
    t.recompute += ew(1, w.recompute_elementwise) + quantize(w.recompute_casts);
  }
  return t;
}

// `overlap_tp`: collective matmul (Wang et al. 2023, Overlap Communication with Dependent
// Computation via Decomposition; Transformer Engine's userbuffers) splits each collective into
// chunks pipelined with the one GEMM that consumes or produces it, so each hides only behind that
// GEMM (slowing it by `share`): forward, the gather behind the block's input GEMM and the
// reduction behind its output GEMM; backward, the output-gradient gather behind the output GEMM's
// data gradient, the re-gather and the input-gradient reduction behind the input GEMM's two
// gradients (each as long as its forward). The kernels run over the scale-up links' copy engines:
// a TP group reaching over the NICs is not overlapped (see tp_time).
double tp_collective_matmul(const Execution& e, const LayerTimes& t, double share, double ag, double rs, double ar, int blocks, bool ffn_again) {
  auto hide = [&](double comm, double gemm) { return exposed_behind(comm, gemm, share); };
  const double in[2] = {t.attention_input_gemm, t.ffn_input_gemm};
  const double out[2] = {t.attention_output_gemm, t.ffn_output_gemm};
  double fwd = 0, bwd = 0, block_fwd[2] = {0, 0};
  for (int b = 0; b < blocks; ++b) {
    if (e.sequence_parallel) {
      block_fwd[b] = hide(ag, in[b]) + hide(rs, out[b]);
      bwd += hide(ag, out[b]) + hide(ag, in[b]) + hide(rs, in[b]);
    } else {
      block_fwd[b] = hide(ar, out[b]);
      bwd += hide(ar, in[b]);
    }
    fwd += block_fwd[b];
  }
  return fwd + bwd + (e.recompute == Recompute::full ? fwd : ffn_again ? block_fwd[1] : 0);
}

namespace {
// Exposed seconds of one layer's TP communication per micro-batch. Forward: with sequence
// parallelism an all-gather before and a reduce-scatter after each of the attention and FFN
// blocks, without it an all-reduce after each (Korthikanti et al. 2022, sec. 4.2.2). Backward
// mirrors it, and with sequence parallelism the column-parallel GEMMs' inputs are gathered again
// for their weight gradients. Megatron-LM's and NeuronX Distributed's LinearWithAsyncCommunication
// issue that re-gather before the data-gradient GEMM and the input-gradient reduce-scatter (or
// all-reduce) before the weight-gradient GEMM, so each hides behind a GEMM as long as the block's
// forward input GEMMs (`overlap_tp_backward`). Full recompute repeats the forward's collectives.
// `blocks`: 2, or 1 for an MoE layer without shared experts, whose routed experts' TP traffic is
// the dispatcher's (ep_time) and whose FFN block has no gather or reduction of its own.
double tp_exposed(const Execution& e, const LayerTimes& t, double share, double ag, double rs, double ar, int blocks, bool ffn_again) {
  const double windows[2] = {t.attention_input_gemm, t.ffn_input_gemm};
  auto hidden = [&](double comm, double gemm) { return e.overlap_tp_backward ? exposed_behind(comm, gemm, share) : comm; };
  double fwd, bwd = 0;
  if (e.sequence_parallel) {
    fwd = blocks * (ag + rs);
    bwd = blocks * ag;  // the row-parallel GEMMs' output gradients, needed before anything else
    for (int b = 0; b < blocks; ++b) bwd += hidden(ag, windows[b]) + hidden(rs, windows[b]);
  } else {
    fwd = blocks * ar;
    for (int b = 0; b < blocks; ++b) bwd += hidden(ar, windows[b]);
  }
  // A recomputed MLP's forward gathers and reduces again (one block's forward).
  const double again = e.recompute == Recompute::full ? fwd : ffn_again ? fwd / blocks : 0;
  return fwd + bwd + again;
}

double tp_time(const StepContext& c, const workload::ModelSpec& m, const Execution& e, const LayerTimes& t, int blocks,
               bool ffn_again, Communicators& comm) {
  if (e.tp < 2) return 0;
  const double bytes = c.tokens * m.hidden * workload::activation_bytes;
  const bool sp = e.sequence_parallel;
  const double ag = sp ? comm.time(Op::allgather, c.place.tp, bytes) : 0, rs = sp ? comm.time(Op::reducescatter, c.place.tp, bytes) : 0;
  const double ar = sp ? 0 : comm.time(Op::allreduce, c.place.tp, bytes);
  if (e.overlap_tp && c.tp_in_scale_up) return tp_collective_matmul(e, t, c.share, ag, rs, ar, blocks, ffn_again);
  return tp_exposed(e, t, c.share, ag, rs, ar, blocks, ffn_again);
}

// CP (ring attention): cp-1 exchanges of the local K and V forward, twice as many backward (dK,
// dV travel too), hidden behind the attention core where it is long enough.
double cp_time(const StepContext& c, const workload::ModelSpec& m, const Execution& e, const LayerTimes& t, Communicators& comm) {
  if (e.cp < 2) return 0;
  const double kv = std::max(m.kv_heads / static_cast<double>(e.tp), 1.0) * m.head_dim;
  const double step = comm.time(Op::sendrecv, c.place.cp, 2 * c.tokens * kv * workload::activation_bytes);
  const double backward = ring_attention_backward(c.profile, c.seq / static_cast<double>(e.cp), workload::attention_head_dim(m));
  return exposed_behind((e.cp - 1) * step, t.attention_fwd, c.cp_share) +
         exposed_behind(2 * (e.cp - 1) * step, backward * t.attention_fwd, c.cp_share);
}

// One dispatch (or combine) of `bytes`, the rank's routed rows. The all-to-all dispatcher sends
// them as they are. The flex one (DeepEP) sends a token once to each rack holding one of its
// experts, to the rank on its own rail there, which forwards it over the scale-up links to each
// rank holding one: S x racks hit / top_k on the rail across racks and S x ranks hit / top_k
// inside each rack (workload::expected_slices_hit), the two pipelined (DeepEP forwards a chunk
// while the next arrives), so the slower sets the pace. Combine runs the same path backwards,
// summing a token's expert outputs inside a rack before it crosses the network.
double dispatch_time(const StepContext& c, const workload::ModelSpec& m, const Execution& e, double bytes, Communicators& comm) {
  if (e.moe_dispatcher != workload::MoeDispatcher::flex || c.place.ep_racks == 0)
    return comm.time(Op::alltoall, c.place.ep, bytes);
  const double per_copy = bytes / m.moe.top_k;
  const int racks = c.place.ep_racks, inside = e.ep / racks;
  const double net = racks > 1 ? comm.time(Op::alltoall, c.place.ep_rail, per_copy * workload::expected_slices_hit(m.moe, racks)) : 0;
  const double local = inside > 1 ? comm.time(Op::alltoall, c.place.ep_local, per_copy * workload::expected_slices_hit(m.moe, e.ep)) : 0;
  return std::max(net, local);
}

// MoE dispatch per MoE layer (workload/moe_dispatch.hpp), as Megatron-Core's all-to-all
// dispatcher runs it in line with the layer's compute (nothing hidden): forward, the dispatch
// and combine all-to-alls over the EP group (rows of `hidden` sized to the busiest receiver)
// and, with expert TP, the all-gather of the received rows over the expert TP group before the experts and
// the reduce-scatter after them; backward the same again; full recompute, or the MoE block's
// (recompute_moe), repeats the forward.
double ep_time(const StepContext& c, const workload::ModelSpec& m, const Execution& e, const workload::LayerWork& w,
               const LayerTimes& t, Communicators& comm) {
  if (w.moe_send_rows <= 0) return 0;
  const double row = m.hidden * workload::activation_bytes;
  const double a2a = e.ep > 1 ? dispatch_time(c, m, e, w.moe_send_rows * row, comm) : 0;
  const bool gather = workload::expert_tp(e) > 1;
  const double ag = gather ? comm.time(Op::allgather, c.place.etp, w.moe_gathered_rows * row) : 0;
  const double rs = gather ? comm.time(Op::reducescatter, c.place.etp, w.moe_gathered_rows * row) : 0;
  const double fwd = 2 * a2a + ag + rs;
  const double recompute = e.recompute == Recompute::full || w.moe_recomputed ? fwd : 0;
  if (!e.overlap_ep || a2a <= 0) return 2 * fwd + recompute;
  // overlap_ep, the steady 1F1B phase: this layer's backward for one micro-batch runs beside its
  // forward for the next, each all-to-all on its own stream behind one block of the other pass
  // (DeepSeek-V3's pairing, as Megatron-Core's combined 1F1B schedules it): the forward's
  // dispatch behind the MLP's backward, its combine behind the attention's backward, the
  // backward's dispatch behind the MLP's forward, its combine behind the attention's forward,
  // each block slowed by the compute the transfer takes (`share`). The attention block's
  // forward is its input and output GEMMs and core; its backward the same share of the
  // layer's backward. The expert-TP gathers stay in line.
  const double attention_f = std::min(t.fwd, t.attention_input_gemm + t.attention_fwd + t.attention_output_gemm);
  const double attention_b = t.fwd > 0 ? t.bwd * attention_f / t.fwd : 0;
  auto hide = [&](double window) { return exposed_behind(a2a, window, c.share); };
  const double paired = hide(t.bwd - attention_b) + hide(attention_b) + hide(t.fwd - attention_f) + hide(attention_f) + 2 * (ag + rs);
  const double steady = steady_1f1b_share(e, c.micro_batches);
  return steady * paired + (1 - steady) * 2 * fwd + recompute;
}
}  // namespace

LayerCost layer_cost(const StepContext& c, const workload::ModelSpec& m, const Execution& e, int layer, Communicators& comm) {
  const workload::LayerWork w = workload::layer_forward(m, layer, e, c.seq, c.profile.flash_attention);
  LayerCost k;
  const GemmChunks chunks = e.overlap_tp && c.tp_in_scale_up && e.tp > 1 ? GemmChunks{e.tp, pipelined_rs_chunks} : GemmChunks{};
  k.t = layer_times(w, c.profile, c.rate, e.recompute, e.graph_capture ? 0 : c.profile.host_per_kernel_s, chunks);
  k.tp = tp_time(c, m, e, k.t, w.ffn_tp_collectives ? 2 : 1, w.ffn_tp_recomputed, comm);
  k.cp = cp_time(c, m, e, k.t, comm);
  k.ep = ep_time(c, m, e, w, k.t, comm);
  return k;
}

}  // namespace rackscope::eval
