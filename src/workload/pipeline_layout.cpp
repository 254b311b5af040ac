#include "workload/pipeline_layout.hpp"

#include <fmt/format.h>

namespace rackscope::workload {

std::pair<int, int> PipelineLayout::range(int stage) const {
  int first = 0;
  for (int s = 0; s < stage; ++s) first += layers[s];
  return {first, first + layers[stage]};
}

namespace {
// Spreads `units` over `stages` evenly, the first `units % stages` one more.
std::vector<int> even(int units, int stages) {
  std::vector<int> out(stages, units / stages);
  for (int s = 0; s < units % stages; ++s) ++out[s];
  return out;
}
}  // namespace

PipelineLayout pipeline_layout(const ModelSpec& m, const Execution& e) {
  PipelineLayout p;
  const int pp = e.pp;
  const bool fixed_first = e.first_stage_layers > 0, fixed_last = e.last_stage_layers > 0 && pp > 1;
  const int fixed = (fixed_first ? e.first_stage_layers : 0) + (fixed_last ? e.last_stage_layers : 0);
  const int free_stages = pp - (fixed_first ? 1 : 0) - (fixed_last ? 1 : 0);
  const int rest = m.layers - fixed;
  if (rest < 0 || (free_stages == 0 && rest != 0) || (pp == 1 && fixed_first && e.first_stage_layers != m.layers)) {
    p.problem = fmt::format("first/last stage layers {}/{} do not fit {} layers on {} stages", e.first_stage_layers,
                            e.last_stage_layers, m.layers, pp);
    return p;
  }
  // The embedding and the loss take a layer's slot on the first and last free stage.
  const bool embedding = e.embedding_stage && !fixed_first, loss = e.loss_stage && !fixed_last;
  std::vector<int> free = free_stages > 0 ? even(rest + embedding + loss, free_stages) : std::vector<int>{};
  if (embedding) --free.front();
  if (loss) --free.back();
  if (fixed_first) p.layers.push_back(e.first_stage_layers);
  p.layers.insert(p.layers.end(), free.begin(), free.end());
  if (fixed_last) p.layers.push_back(e.last_stage_layers);
  // Every model chunk holds at least one slot: a layer, or the embedding or the loss (Megatron-Core
  // lets a chunk of the first stage hold the embedding alone, and one of the last the loss alone).
  const int first_free = fixed_first ? 1 : 0, last_free = static_cast<int>(p.layers.size()) - 1 - (fixed_last ? 1 : 0);
  for (int s = 0; s < static_cast<int>(p.layers.size()); ++s) {
    const int n = p.layers[s], slots = n + (embedding && s == first_free) + (loss && s == last_free);
    if (slots < e.vpp || slots < 1) {
      p.problem = fmt::format("a stage of {} layers cannot hold {} model chunk{} of at least one layer ({} layers, pp {})", n, e.vpp,
                              e.vpp > 1 ? "s" : "", m.layers, pp);
      return p;
    }
  }
  return p;
}

}  // namespace rackscope::workload
