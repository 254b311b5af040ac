#pragma once
// How the layers fall onto pipeline stages: an even split (the first L % pp stages one layer
// more, as Megatron-LM does when pp does not divide L), or Megatron-LM's uneven layouts: the
// first and last stage given their own layer counts (--decoder-first/last-pipeline-num-layers)
// and the embedding and the loss each counted as one layer of the split
// (--account-for-embedding/loss-in-pipeline-split), as MLPerf's asymmetric pipelines run.
#include <string>
#include <vector>

#include "workload/execution.hpp"
#include "workload/model.hpp"

namespace rackscope::workload {

struct PipelineLayout {
  std::vector<int> layers;  // transformer layers of each stage, first stage first
  std::string problem;      // why the layout cannot be built (empty: it can)
  // Layers [first, last) of `stage`.
  std::pair<int, int> range(int stage) const;
};

PipelineLayout pipeline_layout(const ModelSpec& m, const Execution& e);

}  // namespace rackscope::workload
