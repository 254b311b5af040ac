#pragma once
// One sizing option priced: a step report on a cluster of some rack count becomes time-to-train
// with goodput (failures, checkpoints, restarts), its accuracy band, capital cost, power,
// energy, total cost over the run, supply by the quarter, and which constraint binds.
#include "econ/training_run.hpp"
#include "eval/report.hpp"
#include "fabric/fabric.hpp"
#include "size/request.hpp"

namespace rackscope::size {

// What a cluster costs and draws whatever runs on it: computed once per fabric (the bill of
// materials walks the graph), reused for every layout priced on it. Economics are required:
// a candidate without them is an input error.
using econ::ClusterFacts;
using econ::cluster_facts;

Option price(const Request& r, const Candidate& c, int candidate, const fabric::Fabric& f, const ClusterFacts& facts,
             const eval::Report& step, const workload::Execution& e);

// The step runs and its time-to-train (with goodput) is within the deadline.
bool meets_deadline(const Request& r, const Option& o);
// The step runs and the cluster is within the budget and the power limit.
bool within_limits(const Request& r, const Option& o);

// The most racks (at least 1, at most request.max_racks) whose capital cost and peak power stay
// within the request's budget and power limit, priced per rack on a one-rack cluster.
int racks_within_limits(const Request& r, const hw::ClusterSpec& c);

// Chips of this configuration's package deliverable from the sheet's supply quarter through
// `quarter` (inclusive; empty: two quarters) at the low, base and high capacity; zeros when the
// chip has no package sheet (supply unknown) and when `quarter` comes before the sheet's first.
struct Supply {
  bool known = false;
  double low = 0, base = 0, high = 0;
};
Supply supply_by(const hw::Chip& chip, const std::string& quarter);

}  // namespace rackscope::size
