#include "econ/goodput.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

#include "workload/counts.hpp"

namespace rackscope::econ {
namespace {
constexpr double kInfinity = std::numeric_limits<double>::infinity();

// P(N >= k) for N ~ Poisson(mean): a failure finds all k spares still out for repair. Parts in
// repair at once follow M/G/infinity occupancy, Poisson with mean (failure rate x repair time).
double poisson_tail(double mean, int k) {
  if (k <= 0) return 1.0;
  if (mean <= 0) return 0.0;
  double below = 0;
  for (int i = 0; i < k; ++i) {
    const double term = std::exp(-mean + i * std::log(mean) - std::lgamma(i + 1.0));
    below += term;
    if (i > mean && term < 1e-18 * below) break;  // past the mode the terms only shrink
  }
  return std::clamp(1.0 - below, 0.0, 1.0);
}

// Spares in one pool: hosts of a rack (per rack) or racks of the cluster (per cluster).
int spare_count(const hw::Spares& s, const Exposure& e) {
  if (s.share == 0) return s.count;
  const double units = s.per_rack ? e.hosts / std::max(e.racks, 1.0) : e.racks;
  return static_cast<int>(std::ceil(s.share * units - 1e-9));
}

// Per second, the whole cluster's unexpected failures of every component (and of those that
// need a part replaced), with the per-component figures and flags filled into `g`.
std::pair<double, double> failure_rates(const hw::Reliability& r, const Exposure& e, Goodput& g) {
  double all = 0, hardware = 0;
  for (int i = 0; i < hw::kComponents; ++i) {
    const auto c = static_cast<hw::Component>(i);
    const double per_s = r.failures[i].per_unit_per_s() * e.count(c);
    g.failures_per_hour.emplace_back(hw::kComponentNames[i], per_s * 3600.0);
    all += per_s;
    if (hw::is_hardware(c)) hardware += per_s;
    if (r.failures[i].assumed && e.count(c) > 0) g.assumed_rates.emplace_back(hw::kComponentNames[i]);
  }
  g.assumed = !g.assumed_rates.empty();
  return {all, hardware};
}

// Blocking save time, storage bandwidth and, for an asynchronous save, the drain to storage.
void checkpoint_times(const hw::Checkpoint& c, const Exposure& e, Goodput& g) {
  g.storage_Bps = c.storage_Bps;
  if (c.storage_per_host_Bps > 0 && e.hosts > 0) g.storage_Bps = std::min(g.storage_Bps, c.storage_per_host_Bps * e.hosts);
  const double to_storage_s = g.checkpoint_B / g.storage_Bps;
  if (c.async) {
    // Every accelerator copies its own shard to host memory at once, after the save's fixed
    // pause; the write to storage then proceeds behind training.
    g.checkpoint_s = c.pause_per_save_s + g.checkpoint_B / (c.host_copy_Bps * std::max(e.accelerators, 1.0));
    g.drain_s = to_storage_s;
  } else {
    g.checkpoint_s = to_storage_s;
  }
}
}  // namespace

double young_interval_s(double checkpoint_s, double mtbf_s) { return std::sqrt(2.0 * checkpoint_s * mtbf_s); }

double daly_interval_s(double checkpoint_s, double mtbf_s) {
  if (checkpoint_s >= 2.0 * mtbf_s) return mtbf_s;
  const double x = checkpoint_s / (2.0 * mtbf_s);
  return std::sqrt(2.0 * checkpoint_s * mtbf_s) * (1.0 + std::sqrt(x) / 3.0 + x / 9.0) - checkpoint_s;
}

double daly_wall_time_s(double work_s, double interval_s, double checkpoint_s, double restart_s, double mtbf_s) {
  assert(interval_s > 0 && mtbf_s > 0);
  return mtbf_s * std::exp(restart_s / mtbf_s) * std::expm1((interval_s + checkpoint_s) / mtbf_s) * work_s / interval_s;
}

double Exposure::count(hw::Component c) const {
  switch (c) {
    case hw::Component::accelerator:
    case hw::Component::hbm:
    case hw::Component::software: return accelerators;
    case hw::Component::host: return hosts;
    case hw::Component::nic: return nics;
    case hw::Component::switch_: return switches;
    case hw::Component::link: return links;
    case hw::Component::scale_up_switch: return scale_up_switches;
    case hw::Component::scale_up_link: return scale_up_links;
  }
  return 0;
}

Exposure exposure(const fabric::Fabric& f) {
  Exposure e;
  e.accelerators = f.chips();
  e.nics = f.count(fabric::VertexKind::nic);
  e.racks = f.racks();
  e.hosts = static_cast<double>(f.spec().rack.hosts) * f.racks();
  std::vector<char> scale_out_switch(f.vertices(), 0);
  // Links are added in (a->b, b->a) pairs: one physical link (a cable, a lane bundle) per pair,
  // or `cables` of them where the top of a Clos joins a switch by a bundle.
  const auto& links = f.links();
  for (size_t i = 0; i < links.size(); i += 2) {
    const fabric::Link& l = links[i];
    if (l.tier == fabric::Tier::scale_up) e.scale_up_links += l.cables;
    if (l.tier != fabric::Tier::scale_out) continue;
    e.links += l.cables;
    for (int v : {l.from, l.to})
      if (f.kind(v) == fabric::VertexKind::switch_) scale_out_switch[v] = 1;
  }
  e.switches = static_cast<double>(std::count(scale_out_switch.begin(), scale_out_switch.end(), 1));
  e.scale_up_switches = f.count(fabric::VertexKind::switch_) - e.switches;
  return e;
}

double checkpoint_bytes(const workload::ModelSpec& m, const hw::Reliability& r) {
  return (workload::total_params(m) + m.mtp_depth * workload::mtp_module_params(m).total) * r.checkpoint.bytes_per_parameter;
}

Goodput goodput(const hw::Reliability& r, const Exposure& e, double checkpoint_B, double work_s) {
  Goodput g;
  g.checkpoint_B = checkpoint_B;
  const auto [rate, hardware_rate] = failure_rates(r, e, g);
  checkpoint_times(r.checkpoint, e, g);
  // A restart reads the last checkpoint back from storage.
  const double relaunch_s = r.restart_s + g.checkpoint_B / g.storage_Bps + r.requeue_s;
  if (rate <= 0) {
    // Nothing fails: no checkpoints are needed and the run is all work.
    g.mtbf_s = kInfinity;
    g.wall_time_s = work_s;
    g.goodput = 1.0;
    return g;
  }
  g.mtbf_s = 1.0 / rate;
  g.interval_s = std::max(daly_interval_s(g.checkpoint_s, g.mtbf_s), g.drain_s);
  const double pool_rate = r.spares.per_rack ? hardware_rate / std::max(e.racks, 1.0) : hardware_rate;
  g.spares = spare_count(r.spares, e);
  g.spare_wait_probability = poisson_tail(pool_rate * r.spares.replace_s, g.spares);
  g.restart_s = relaunch_s + hardware_rate / rate * g.spare_wait_probability * r.spares.replace_s;
  // An asynchronous save in flight when a failure hits is lost: on average the work of one
  // drain time more is redone (the failure falls in the drain window with probability
  // drain / (interval + checkpoint), and then loses a whole interval more).
  const double unexpected_s = daly_wall_time_s(work_s, g.interval_s, g.checkpoint_s, g.restart_s + g.drain_s, g.mtbf_s);
  // Planned interruptions are taken just after a save: each costs a relaunch, no lost work.
  const double planned_rate = rate * r.planned_share / (1.0 - r.planned_share);
  const double planned_busy = planned_rate * relaunch_s;
  g.wall_time_s = planned_busy < 1.0 ? unexpected_s / (1.0 - planned_busy) : kInfinity;
  g.interruptions = g.wall_time_s * (rate + planned_rate);
  g.planned_interruptions = g.wall_time_s * planned_rate;
  g.goodput = work_s / g.wall_time_s;
  return g;
}

}  // namespace rackscope::econ
