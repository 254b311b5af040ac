// The pipeline stage that takes longest per micro-batch: every layer on it, plus the output head
// on the last stage.
#include "eval/step_parts.hpp"
#include "units/check.hpp"
#include "workload/memory.hpp"

namespace rackscope::eval {
using workload::Recompute;

namespace {
// Layers differ only as dense or MoE and as full or sliding-window attention: each kind is
// costed once (work, roofline and the collectives of its communicators), then added up layer by
// layer over each stage.
class LayerKinds {
 public:
  LayerKinds(const StepContext& c, const workload::ModelSpec& m, const workload::Execution& e, Communicators& comm)
      : c_(c), m_(m), e_(e), comm_(comm) {}
  const LayerCost& of(int layer) {
    const int kind = 2 * workload::is_moe_layer(m_, layer) + workload::is_window_layer(m_, layer);
    if (!ready_[kind]) kinds_[kind] = layer_cost(c_, m_, e_, layer, comm_), ready_[kind] = true;
    return kinds_[kind];
  }

 private:
  const StepContext& c_;
  const workload::ModelSpec& m_;
  const workload::Execution& e_;
  Communicators& comm_;
  LayerCost kinds_[4];
  bool ready_[4] = {false, false, false, false};
};

// Forward and backward of work outside the layers, per micro-batch, with GEMMs in `precision`.
LayerTimes forward_backward_time(const StepContext& c, const workload::Execution& e, const workload::LayerWork& w,
                                 workload::Precision precision) {
  const compute::RankRates rate = rank_rates(c.chip, precision, precision);
  const double host = e.graph_capture ? 0 : c.profile.host_per_kernel_s;
  return layer_times(w, c.profile, rate, Recompute::none, host);
}

// The output head and loss with its backward, per micro-batch. Megatron-LM's output layer is a
// plain ColumnParallelLinear, not a Transformer Engine module: it runs in bf16 whatever narrower
// format the layers' GEMMs use.
LayerTimes head_time(const StepContext& c, const workload::ModelSpec& m, const workload::Execution& e) {
  const workload::Precision head = hw::narrow_gemm(e.precision) ? workload::Precision::bf16 : e.precision;
  return forward_backward_time(c, e, workload::head_forward(m, e, c.seq), head);
}

// `count` passes of work outside the layers added to a stage's compute.
void add_compute(StageTimes& s, const LayerTimes& t, double count) {
  s.compute += count * (t.fwd + t.bwd);
  s.split.add(t.split, count);
}

// `count` layers costed as `k` added to a stage's sums.
void add_layers(StageTimes& s, const LayerCost& k, double count) {
  add_compute(s, k.t, count);
  s.recompute += count * k.t.recompute;
  s.forward += count * k.t.fwd;
  s.backward += count * k.t.bwd;
  s.tp += count * k.tp;
  s.cp += count * k.cp;
  s.ep += count * k.ep;
}

// The last stage's work beyond its layers, per micro-batch: the output head and loss and each
// multi-token-prediction module: a layer of the last layer's kind (with its TP, CP and EP
// traffic), its input projection (a Transformer Engine linear, in the layers' precision) and one
// more pass of the shared output head and loss.
void add_last_stage_extras(StageTimes& s, LayerKinds& kinds, const StepContext& c, const workload::ModelSpec& m, const workload::Execution& e) {
  const LayerTimes head = head_time(c, m, e);
  add_compute(s, head, 1);
  if (m.mtp_depth == 0) return;
  add_layers(s, kinds.of(m.layers - 1), m.mtp_depth);
  add_compute(s, forward_backward_time(c, e, workload::mtp_projection_forward(m, e, c.seq), e.precision), m.mtp_depth);
  add_compute(s, head, m.mtp_depth);
}
}  // namespace

StageTimes slowest_stage(const StepContext& c, const workload::ModelSpec& m, const workload::Execution& e, Communicators& comm) {
  LayerKinds kinds(c, m, e, comm);
  StageTimes worst;
  double worst_total = -1, sum_fill = 0, worst_fill = 0;
  // Every stage from its own layers (uneven layouts put the most anywhere); the output head on
  // the last, embedding lookups being small.
  workload::StageSums<StageTimes> sums(m);  // stages alike share their layers' sums
  for (int stage = 0; stage < e.pp; ++stage) {
    const auto [first_layer, last_layer] = workload::stage_layers(m, e, stage);
    // check_structure() refuses a stage without layers; ZeRO-3 and DP overlap divide by this.
    RACKSCOPE_ASSERT(last_layer > first_layer, "every pipeline stage holds a layer");
    StageTimes s = sums(first_layer, last_layer, [&, first_layer = first_layer, last_layer = last_layer] {
      StageTimes sum;
      sum.layers = last_layer - first_layer;
      for (int l = first_layer; l < last_layer; ++l) add_layers(sum, kinds.of(l), 1);
      return sum;
    });
    if (stage == e.pp - 1) add_last_stage_extras(s, kinds, c, m, e);
    const double total = s.compute + s.recompute + s.tp + s.cp + s.ep;
    // What the stage adds to the fill and drain: its largest model chunk (ceil(layers / vpp)).
    const double fill = total * ((s.layers + e.vpp - 1) / e.vpp) / s.layers;
    sum_fill += fill;
    s.index = stage;
    if (total > worst_total) worst_total = total, worst_fill = fill, worst = s;
  }
  worst.fill = sum_fill - worst_fill;
  return worst;
}

}  // namespace rackscope::eval
