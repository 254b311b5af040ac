#pragma once
// How a model is run: batch, parallel degrees (counted in ranks, as the framework counts them:
// on Trainium, NeuronCores), recompute, precision and overlap switches.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hw/precision.hpp"
#include "workload/model.hpp"

namespace rackscope::workload {

enum class Recompute { none, selective, full };
// Training precisions are the selectable rows of hw::precision_table.
using Precision = hw::Precision;
using hw::precision_name;

struct Execution {
  int global_batch = 0;   // sequences per step
  int micro_batch = 1;    // sequences per micro-batch per model replica
  int tp = 1, pp = 1, dp = 1, cp = 1, ep = 1;
  int vpp = 1;            // interleaved pipeline: model chunks per stage
  int zero = 0;           // 0: none, 1: optimizer states, 2: + gradients, 3: + parameters (FSDP)
  bool sequence_parallel = false;
  Recompute recompute = Recompute::none;
  Precision precision = Precision::bf16;
  bool overlap_dp = true;        // gradient reduce overlapped with backward
  bool overlap_param_gather = true;  // ZeRO parameter all-gather overlapped with compute
  bool overlap_tp = false;       // all TP communication overlapped with GEMMs (collective matmul)
  bool overlap_tp_backward = true;  // backward re-gather / input-gradient reduction behind the gradient GEMMs
  int seq = 0;                   // 0: the model's sequence length
  // Rank grid order, innermost first (default TP, CP, EP, DP, PP): which degrees share chips.
  std::vector<std::string> order = {"tp", "cp", "ep", "dp", "pp"};
};

const char* recompute_name(Recompute r);
// The data-parallel degree that fills `ranks` given tp, cp and pp: ranks / (tp*cp*pp), or 0 when
// that does not divide (evaluate() then reports ranks_mismatch).
int derived_dp(int64_t ranks, const Execution& e);

// Typed reasons a configuration cannot run, counted by sweeps.
enum class Infeasibility {
  none,
  ranks_mismatch,          // tp*cp*pp*dp != ranks of the cluster
  tp_heads,                // tp does not divide the attention (or KV) heads
  pp_layers,               // more stages than layers, or interleaving that does not divide them
  batch_split,             // micro batch does not divide the per-replica batch
  ep_experts,              // ep does not divide the experts (or exceeds them)
  ep_dp,                   // ep does not divide dp*cp
  cp_seq,                  // cp does not divide the sequence (2*cp chunks for load balance)
  precision_unsupported,   // the chip has no such data type
  out_of_memory,
  collective_unplanned,    // no algorithm of the chip's collective runtime applies to a communicator
  package_unfit,           // the chip's dies and HBM do not fit its packaging technology
};
const char* infeasibility_name(Infeasibility r);

}  // namespace rackscope::workload
