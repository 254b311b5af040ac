#include "econ/training_run.hpp"

#include <limits>

#include "units/check.hpp"

namespace rackscope::econ {

ClusterFacts cluster_facts(const fabric::Fabric& f, Economics economics) {
  ClusterFacts facts;
  if (economics == Economics::required || has_economics(f.spec())) {
    facts.capex = capex(f);
    facts.peak = peak_power(f);
  }
  facts.exposure = exposure(f);
  return facts;
}

WallTime wall_time(const fabric::Fabric& f, const ClusterFacts& facts, const workload::ModelSpec& m, double work_s) {
  WallTime w;
  const auto& rel = f.spec().reliability;
  if (!rel) {
    // No failure data: the time is the work alone, and goodput is unknown (NaN), not 1, so
    // no table shows a cluster without failure data as one that never fails.
    w.wall_s = work_s;
    w.goodput = std::numeric_limits<double>::quiet_NaN();
    w.assumed = true;
    return w;
  }
  const Goodput g = goodput(*rel, facts.exposure, checkpoint_bytes(m, *rel), work_s);
  w.wall_s = g.wall_time_s;
  w.goodput = g.goodput;
  w.interruptions = g.interruptions;
  w.checkpoint_interval_s = g.interval_s;
  w.assumed = g.assumed;
  return w;
}

RunAtLoad run_at_load(const fabric::Fabric& f, const ClusterFacts& facts, const eval::Report& step, double wall_s) {
  RACKSCOPE_ASSERT(facts.capex && facts.peak, "run_at_load needs the cluster's economics");
  RunAtLoad r;
  r.load = with_chip_draw(*facts.peak, chip_draw(f, step));
  r.energy_J = r.load.facility_W * wall_s;
  r.tco_usd = run_cost(f, *facts.capex, r.load, wall_s).tco_usd;
  return r;
}

}  // namespace rackscope::econ
