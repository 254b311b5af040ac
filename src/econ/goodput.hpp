#pragma once
// Goodput at scale: how much of a training run's wall time is useful work once failures,
// checkpoints and restarts are counted. Expected interruptions come from per-component failure
// rates (hw::Reliability) times how many of each part the cluster has (counted on the fabric
// graph); the checkpoint interval is Daly's optimum and the wall time Daly's expectation.
// Pure functions, no I/O.
#include <string>
#include <utility>
#include <vector>

#include "fabric/fabric.hpp"
#include "hw/reliability.hpp"
#include "workload/model.hpp"

namespace rackscope::econ {

// Young, "A first order approximation to the optimum checkpoint interval", CACM 17(9), 1974:
// tau = sqrt(2 delta M), delta the checkpoint time, M the mean time between failures.
double young_interval_s(double checkpoint_s, double mtbf_s);
// Daly, "A higher order estimate of the optimum checkpoint interval for restart dumps", FGCS
// 22(3), 2006: tau = sqrt(2 delta M) [1 + sqrt(delta / 2M) / 3 + (delta / 2M) / 9] - delta
// for delta < 2M, else M.
double daly_interval_s(double checkpoint_s, double mtbf_s);
// Daly 2006: expected wall time of `work_s` of work checkpointed every `interval_s`:
// M e^(R/M) (e^((tau + delta)/M) - 1) work / tau.
double daly_wall_time_s(double work_s, double interval_s, double checkpoint_s, double restart_s, double mtbf_s);

// How many of each failing part the cluster has.
struct Exposure {
  double accelerators = 0, hosts = 0, nics = 0, switches = 0, links = 0;  // switches, links: scale-out
  double scale_up_switches = 0, scale_up_links = 0;
  double racks = 0;
  double count(hw::Component c) const;  // the units a component's rate is charged per
};
// Counted from the graph: chips, NICs, scale-out switches (a switch with a scale-out link) and
// physical scale-out links (NIC-leaf included), scale-up switches and links; hosts from the
// rack file's `hosts` (0 when the rack does not state it).
Exposure exposure(const fabric::Fabric& f);

// Bytes one checkpoint writes: every parameter (workload::total_params) x bytes per parameter.
double checkpoint_bytes(const workload::ModelSpec& m, const hw::Reliability& r);

struct Goodput {
  double mtbf_s = 0;                 // job-level mean time between unexpected interruptions
  double interruptions = 0;          // expected over the run, planned and unexpected
  double planned_interruptions = 0;  // the planned part of `interruptions`
  double checkpoint_B = 0, checkpoint_s = 0;  // blocking save time
  double storage_Bps = 0;            // the cluster's checkpoint bandwidth (per-host limit applied)
  double drain_s = 0;                // async: time the save takes to reach storage (0 when sync)
  double interval_s = 0;             // Daly's optimum (at least drain_s: one save in flight at a time)
  double restart_s = 0;              // restart + checkpoint load + re-queue + the wait for a part no spare covers
  int spares = 0;                    // in one pool: per rack or for the cluster (hw::Spares)
  double spare_wait_probability = 0; // a hardware failure finds no free spare
  double wall_time_s = 0;            // time-to-train including failures, checkpoints and restarts
  double goodput = 0;                // work_s / wall_time_s
  std::vector<std::pair<std::string, double>> failures_per_hour;  // by component, whole cluster
  std::vector<std::string> assumed_rates;  // components whose rate is an assumption
  bool assumed = false;              // any rate is an assumption rather than a published figure
};
Goodput goodput(const hw::Reliability& r, const Exposure& e, double checkpoint_B, double work_s);

}  // namespace rackscope::econ
