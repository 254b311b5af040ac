#pragma once
// The parallel layouts a sizing search tries on one rack configuration, and the rack counts at
// which a layout can run (dp must be whole and split the global batch).
#include <string>
#include <vector>

#include "hw/cluster_spec.hpp"
#include "size/request.hpp"

namespace rackscope::size {

// TP powers of two inside one rack (TP rides the scale-up domain) dividing the heads; PP the
// layer count's divisors up to 64 plus powers of two; CP 1 and 2; micro-batch 1 and 2; every
// EP powers of two dividing the experts (MoE models only); with PP, interleaving (vpp 1, 2, 4, 8:
// each stage at least vpp layers), and where the layers do not fill pp x vpp chunks but the layers
// with the embedding and the loss do, that split too (Layout::embedding_loss_stages). Recompute
// is not enumerated: the search takes the least recompute that fits in memory (more recompute is
// never faster).
std::vector<Layout> layouts(const workload::ModelSpec& m, const hw::ClusterSpec& c);

// Layers of the last of `pp` stages that balance it against the others, as tuned recipes lay
// pipelines out (Megatron-Core's pipeline_model_parallel_layout: DeepSeek-V3's last stage holds
// fewer layers beside the loss and the MTP module): the output head and loss, and each
// multi-token-prediction module (a layer, its projection and another head), counted in layers by
// their FLOPs per token, take the places of layers there. 0 when the even split already puts as
// many on the last stage, or pp is 1.
int balanced_last_stage_layers(const workload::ModelSpec& m, int pp, int vpp = 1);

// The recompute the search tries, least first: none, selective, for MoE models selective with
// the MoE blocks recomputed (one MoE forward and its all-to-alls again, less than full
// recompute's whole forward), then full.
std::vector<RecomputeChoice> recompute_ladder(const workload::ModelSpec& m);

// An execution's recompute as the answer names it: "none", "selective", "selective+moe", "full".
std::string recompute_text(const workload::Execution& e);
// Whether the embedding and the loss are layers of its pipeline split (Layout::embedding_loss_stages:
// the search sets the two together).
bool embedding_loss_stages(const workload::Execution& e);
// Its pipeline degree as the answer names it: "16", or "16e" when the embedding and the loss are
// layers of the split.
std::string pipeline_text(const workload::Execution& e);
// The legend of that "e", for the tables that show one.
inline constexpr const char* embedding_loss_legend = "an e after pp (pp16e): the embedding and the loss counted as layers of the pipeline split";

// The global batch (sequences) a step of `replicas_x_micro` sequences per micro-batch round uses:
// the multiple of it nearest `target`, within target x (1 +- tolerance); 0 when none is. A
// customer fixes the tokens per step only roughly, and a batch that follows the data-parallel
// degree lets every rack count run, not only those whose dp divides one exact batch.
int batch_for(int64_t replicas_x_micro, int target, double tolerance);

// Rack counts up to max_racks at which `l` runs: k times the fewest racks holding whole
// replicas (tp*cp*pp ranks), k on a ladder (every k to 16, then ~4% steps), dp a multiple of ep
// and a global batch near `target` that dp x micro-batch divides (interleaved: dp x micro-batch x
// pp, the micro-batches a multiple of pp as Megatron-LM's interleaved schedule needs). Ascending.
std::vector<int> valid_racks(const hw::ClusterSpec& c, const Layout& l, int target, int max_racks, double tolerance = 0);

// The execution of `l` on `racks` racks (dp derived, the batch by batch_for), with the defaults
// every option shares: ZeRO-1, sequence parallelism with TP, BF16, overlaps on (as Megatron-LM
// and NxD run at scale).
workload::Execution execution(const hw::ClusterSpec& c, const Layout& l, int racks, int target, double tolerance = 0);

}  // namespace rackscope::size
