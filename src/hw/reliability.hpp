#pragma once
// How often a cluster's parts interrupt a training job, and what an interruption costs:
// failure rates by component, the planned share, restart and re-queue times, hot spares and
// checkpointing. Read from a `kind = "reliability"` file (topologies/reliability/); used by
// econ::goodput. Plain data, no logic.
#include <array>
#include <string>

namespace rackscope::hw {

// The parts a failure is charged to. Each counts a different unit of the cluster (econ::exposure):
// accelerator, hbm and software per accelerator; host per host (server); nic per NIC; switch and
// link per scale-out switch and cable; scale_up_switch and scale_up_link per switch and link of
// the scale-up domain. Software is charged per accelerator, not per job: a job runs one copy of
// the training stack per accelerator, and crashes or collective hangs (NCCL watchdog) grow with
// the ranks; a per-job rate would give one node the interruptions of 16,384.
enum class Component { accelerator, hbm, host, nic, switch_, link, scale_up_switch, scale_up_link, software };
inline constexpr int kComponents = 9;
// Names as in the reliability file's [failures] tables and in results, in Component order.
inline constexpr std::array<const char*, kComponents> kComponentNames = {
    "accelerator", "hbm", "host", "nic", "switch", "link", "scale_up_switch", "scale_up_link", "software"};
// Whether a failure of this component needs hardware replaced (and so a spare), not only a restart.
inline constexpr bool is_hardware(Component c) { return c != Component::software; }

// `events` failures over `operating_time_s` unit-seconds (e.g. 148 faulty GPUs over 16,384 GPUs
// x 1,296 h): a constant rate per unit, as the published counts give it.
struct FailureRate {
  double events = 0;
  double operating_time_s = 0;
  bool assumed = false;  // an assumption rather than a published count
  double per_unit_per_s() const { return operating_time_s > 0 ? events / operating_time_s : 0.0; }
};

struct Spares {
  // rack: spare hosts inside each rack, for that rack's failures; cluster: spare racks (the
  // cluster's repeat unit: a server of an 8-GPU cluster, a whole UltraServer) for the cluster.
  bool per_rack = false;
  int count = 0;      // spares, when stated as a count
  double share = 0;   // else spares as a share of the hosts of a rack (per rack) or of the racks (per cluster), rounded up
  double replace_s = 0;  // time to repair or replace a failed part when no spare is free
};

struct Checkpoint {
  double bytes_per_parameter = 0;  // weights + fp32 master + optimizer moments
  double storage_Bps = 0;          // aggregate write (and read) bandwidth of the cluster's storage
  double storage_per_host_Bps = 0; // 0: none; else the aggregate is min(storage, per host x hosts)
  bool async = false;              // asynchronous: training blocks only for the copy to host memory
  double host_copy_Bps = 0;        // per accelerator, device -> host memory (async only)
  // Async only: what every save holds training for beyond the copy itself (staging buffers,
  // the save plan agreed by all ranks, the hand-off to the writer process). Measured saves block
  // for seconds even where the copy takes milliseconds.
  double pause_per_save_s = 0;
};

struct Reliability {
  std::string name, file;
  std::array<FailureRate, kComponents> failures;  // indexed by Component
  double planned_share = 0;  // planned interruptions as a share of all interruptions
  double restart_s = 0;      // relaunch and re-initialise the job (checkpoint load added from storage)
  double requeue_s = 0;      // detect the failure, drain and reschedule
  Spares spares;
  Checkpoint checkpoint;
  const FailureRate& rate(Component c) const { return failures[static_cast<int>(c)]; }
};

}  // namespace rackscope::hw
