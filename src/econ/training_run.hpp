#pragma once
// What training a model on a cluster costs end to end, shared by `size` (one option at a time)
// and `sweep` (a /results row): the time-to-train once failures, checkpoints and restarts are
// counted (goodput.hpp), and the energy and total cost of running at the load the step implies
// (cost.hpp). The cluster-level facts (bill of materials, peak draw, parts exposed to failure)
// walk the fabric graph, so they are computed once per fabric and reused for every step on it.
#include <optional>

#include "econ/cost.hpp"
#include "econ/goodput.hpp"
#include "eval/report.hpp"
#include "fabric/fabric.hpp"
#include "workload/model.hpp"

namespace rackscope::econ {

struct ClusterFacts {
  std::optional<Capex> capex;      // empty when the cluster names no economics (has_economics)
  std::optional<PowerDraw> peak;   // empty likewise
  Exposure exposure;
};
// `required`: a cluster without economics throws io::InputError naming the file and key to add
// (as capex() does); `optional`: capex and peak are left empty then.
enum class Economics { required, optional };
ClusterFacts cluster_facts(const fabric::Fabric& f, Economics economics = Economics::required);

// Time-to-train with failures for `work_s` of work: Daly's expected wall time at the cluster's
// interruption rate and the model's checkpoint cost. Without reliability data the work alone,
// goodput unknown (NaN), flagged as assumed.
struct WallTime {
  double wall_s = 0, goodput = 1, interruptions = 0, checkpoint_interval_s = 0;
  bool assumed = false;
};
WallTime wall_time(const fabric::Fabric& f, const ClusterFacts& facts, const workload::ModelSpec& m, double work_s);

// Running `wall_s` at the draw `step` implies: facility power at load, its energy, and the total
// cost of ownership (capital share + electricity + maintenance). Needs facts.capex.
struct RunAtLoad {
  PowerDraw load;
  double energy_J = 0, tco_usd = 0;
};
RunAtLoad run_at_load(const fabric::Fabric& f, const ClusterFacts& facts, const eval::Report& step, double wall_s);

}  // namespace rackscope::econ
