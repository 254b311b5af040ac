#pragma once
// Rack sizing: the question a customer asks ("train model M on T tokens within D days, under
// budget B and P megawatts: how many racks of which turnkey configuration?") and the answer's
// options. Plain data; search.hpp finds the options, option.hpp prices one.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "eval/breakdown.hpp"
#include "hw/cluster_spec.hpp"
#include "workload/execution.hpp"
#include "workload/model.hpp"

namespace rackscope::size {

enum class Objective { cost, time, energy };
const char* objective_name(Objective o);

// The most racks any search may be asked to reach (--max-racks, compare's --racks, and compare at
// equal capital, where the capital and the memory limit bound it first).
constexpr int kMostRacks = 65536;

struct Request {
  workload::ModelSpec model;
  double tokens = 0;      // training tokens
  double deadline_s = 0;  // wall time allowed, failures and checkpoints included
  std::optional<double> budget_usd, power_W;
  std::string quarter;    // chips delivered through this quarter ("2027Q1"); empty: the chip sheet's own and the next
  Objective objective = Objective::cost;
  int global_batch = 0;   // sequences per step: the target
  double batch_tolerance = 0;  // the batch may follow dp within global_batch x (1 +- this)
  int max_racks = 2048;   // largest rack count searched per configuration
  // Memory the search's fabrics may take together (io::search_memory_limit()); 0: no limit. The
  // rack counts searched stop where one fabric would exceed its share of the fabrics kept.
  double fabric_memory_B = 0;
  int top = 5;            // options printed
  // Parallel layouts per configuration priced exactly at the rack count that meets the deadline,
  // after all were screened at one rack count.
  int refine = 4;
};

// One turnkey rack configuration: a cluster file whose rack count is searched.
struct Candidate {
  std::string file;
  hw::ClusterSpec spec;
};

// The recompute a layout runs with: a mode and, for MoE models, the MoE blocks besides
// (workload::Execution::recompute_moe); the search tries them as size::recompute_ladder orders them.
struct RecomputeChoice {
  workload::Recompute mode = workload::Recompute::none;
  bool moe = false;
};

// A parallel layout, independent of the rack count (dp follows from it).
struct Layout {
  int tp = 1, pp = 1, cp = 1, ep = 1, micro_batch = 1;
  RecomputeChoice recompute;  // set by the search's screening, not enumerated
  int etp = 0;  // expert TP (workload::Execution::etp): 0 = tp; 1 folds EP over the TP ranks
  int last_stage_layers = 0;  // pp > 1: the last stage's layers, fewer to carry the output head (0: even split)
  int vpp = 1;  // pp > 1: model chunks per stage (interleaved 1F1B), each stage holding at least vpp layers
  // pp > 1: the embedding and the output head with its loss each counted as a layer of the pipeline
  // split (Megatron-Core's account_for_embedding/loss_in_pipeline_split, as Llama 3's pipeline and
  // Megatron-Bridge's 405B recipes lay it): tried where layers + 2, not the layers, fill pp x vpp chunks.
  bool embedding_loss_stages = false;
};

// A low-high band around a central value.
struct Band {
  double value = 0, low = 0, high = 0;
};

struct Option {
  int candidate = 0;  // index into the candidates
  std::string rack;   // the configuration's name
  std::string packaging;  // "CoWoS-L", "EMIB-T", or "" where the chip states no package
  int racks = 0;
  int64_t chips = 0;
  workload::Execution execution;
  double step_time_s = 0, tokens_per_s = 0, mfu = 0, memory_fraction = 0;
  eval::Breakdown breakdown;  // the step's seconds per term
  double work_s = 0;    // time-to-train without failures
  Band wall_s;          // time-to-train with goodput, and its accuracy band
  bool band_measured = false;  // the chip family has training measurements behind its band
  double goodput = 0, interruptions = 0, checkpoint_interval_s = 0;
  Band capex_usd, tco_usd;     // capital cost of the cluster; capex share + energy + maintenance over the run
  double energy_MWh = 0, peak_power_MW = 0, load_power_MW = 0;
  double supply_chips = 0, supply_low = 0, supply_high = 0;  // deliverable by the quarter (0: unknown)
  bool assumed = false;  // a price, power, rate or supply number behind it is an assumption
  bool feasible = false;
  std::string binding;   // deadline, budget, power, supply or memory: the constraint with least slack
  std::string reject;    // why not feasible (a reason name)
  double objective = 0;  // the value options are ranked by (lower is better)
};

struct Answer {
  std::vector<Option> options;                 // feasible, best first
  std::map<std::string, int64_t> rejected;     // layouts or options turned down, per reason
  std::vector<Option> closest;                 // when nothing is feasible: nearest misses
  std::vector<std::string> advice;             // what would make the closest fit
  // Configurations whose rack counts the memory limit stopped short of the request and the Clos's
  // reach: (candidate, the most racks searched).
  std::vector<std::pair<int, int>> memory_capped;
  int64_t evaluations = 0, fabrics = 0;
};

}  // namespace rackscope::size
