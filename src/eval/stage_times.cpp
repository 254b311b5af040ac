// The pipeline stage that takes longest per micro-batch: every layer on it, plus the output head
// on the last stage.
#include <vector>

#include "eval/step_parts.hpp"
#include "units/check.hpp"
#include "workload/memory.hpp"

namespace rackscope::eval {
using workload::Recompute;

namespace {
// Layers differ only as dense or MoE: each kind is costed once (work, roofline and the
// collectives of its communicators), then added up layer by layer over each stage.
class LayerKinds {
 public:
  LayerKinds(const StepContext& c, const workload::ModelSpec& m, const workload::Execution& e, Communicators& comm)
      : c_(c), m_(m), e_(e), comm_(comm) {}
  const LayerCost& of(int layer) {
    const bool moe = workload::is_moe_layer(m_, layer);
    if (!ready_[moe]) kinds_[moe] = layer_cost(c_, m_, e_, layer, comm_), ready_[moe] = true;
    return kinds_[moe];
  }

 private:
  const StepContext& c_;
  const workload::ModelSpec& m_;
  const workload::Execution& e_;
  Communicators& comm_;
  LayerCost kinds_[2];
  bool ready_[2] = {false, false};
};
}  // namespace

StageTimes slowest_stage(const StepContext& c, const workload::ModelSpec& m, const workload::Execution& e, Communicators& comm) {
  LayerKinds kinds(c, m, e, comm);
  StageTimes worst;
  worst.layers = workload::stage_layers(m, e, 0).second;  // the first stage is the largest
  // check_structure() refuses more stages than layers; ZeRO-3 and DP overlap divide by this.
  RACKSCOPE_ASSERT(worst.layers > 0, "every pipeline stage holds a layer");
  double worst_compute = 0, worst_comm = 0, last_layer_bwd = 0;
  // The first and the last stage bound the others (the first holds the most layers and the
  // embedding, the last the output head).
  const std::vector<int> stages = e.pp > 1 ? std::vector<int>{0, e.pp - 1} : std::vector<int>{0};
  for (int stage : stages) {
    StageTimes s;
    const auto [first_layer, last_layer] = workload::stage_layers(m, e, stage);
    for (int l = first_layer; l < last_layer; ++l) {
      const LayerCost& k = kinds.of(l);
      s.compute += k.t.fwd + k.t.bwd;
      s.recompute += k.t.recompute;
      last_layer_bwd = k.t.bwd;
      s.tp += k.tp;
      s.cp += k.cp;
      s.ep += k.ep;
    }
    // The output head, loss and its backward on the last stage; embedding lookups are small.
    if (stage == e.pp - 1) {
      const LayerTimes t = layer_times(workload::head_forward(m, e, c.seq), c.profile, c.rate, Recompute::none);
      s.compute += t.fwd + t.bwd;
    }
    const double total = s.compute + s.recompute + s.tp + s.cp + s.ep;
    if (total > worst_compute + worst_comm) {
      worst_compute = s.compute + s.recompute;
      worst_comm = s.tp + s.cp + s.ep;
      s.layers = worst.layers;
      worst = s;
    }
  }
  worst.last_layer_bwd = last_layer_bwd;
  return worst;
}

}  // namespace rackscope::eval
