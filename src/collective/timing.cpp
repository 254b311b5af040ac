#include "collective/timing.hpp"

#include <algorithm>
#include <cmath>

namespace rackscope::collective {

Group first_ranks(const fabric::Fabric& f, int n) {
  Group g;
  for (int r = 0; r < std::min(n, f.endpoints()); ++r) g.endpoints.push_back(r);
  return g;
}

AlgorithmCost not_applicable(std::string why) {
  AlgorithmCost a;
  a.applicable = false;
  a.why_not = std::move(why);
  return a;
}

PhaseCost price_phase(const fabric::Fabric& f, const Group& g, const std::vector<Flow>& flows, double repeat, fabric::PhaseLoads& loads) {
  PhaseCost cost;
  cost.repeat = repeat;
  for (const Flow& fl : flows) cost.latency_s = std::max(cost.latency_s, f.route(fl.src, fl.dst, fl.bytes, loads).latency_s);
  // Siblings: each flow's own core (and die) links, then the links between its two chips, added
  // once for a run of siblings between the same chips (the cores of one chip share those routes
  // exactly; this keeps planning with many siblings cheap).
  const int endpoints = f.endpoints();
  for (const Flow& fl : flows) {
    int run_a = -1, run_b = -1;
    double run_bytes = 0;
    for (int shift : g.concurrent) {
      const int src = fl.src + shift, dst = fl.dst + shift;
      if (src >= endpoints || dst >= endpoints) continue;
      f.route_ends(src, dst, fl.bytes, loads);
      const int a = f.chip_of(src), b = f.chip_of(dst);
      if (a != run_a || b != run_b) {
        f.route_chips(run_a, run_b, run_bytes, loads);
        run_a = a, run_b = b, run_bytes = 0;
      }
      run_bytes += fl.bytes;
    }
    f.route_chips(run_a, run_b, run_bytes, loads);
  }
  cost.seconds_per_byte = f.max_link_time(loads);
  loads.clear();
  return cost;
}

double algorithm_time(const AlgorithmCost& a, double bytes, const hw::Protocol& p, double launch_s) {
  double t = launch_s;
  if (a.pipeline_stages > 0) {
    const PhaseCost& ph = a.phases.front();
    const double alpha = ph.latency_s + p.step_latency_s;
    const double beta = ph.seconds_per_byte / p.bandwidth_efficiency;
    const double m = a.pipeline_stages;
    const double max_chunks = std::max(1.0, std::floor(bytes / std::max(a.min_chunk_bytes, 1.0)));
    auto step_time = [&](double k) { return (m + k - 1) * (bytes / k * beta + alpha); };
    double best_k = alpha > 0 ? std::sqrt(std::max(0.0, (m - 1) * bytes * beta / alpha)) : max_chunks;
    best_k = std::clamp(best_k, 1.0, max_chunks);
    const double lo = std::max(1.0, std::floor(best_k)), hi = std::min(max_chunks, std::ceil(best_k));
    return t + std::min(step_time(lo), step_time(hi));
  }
  double bubble = 0;
  for (const PhaseCost& ph : a.phases) {
    const double per_byte = std::max(ph.seconds_per_byte / p.bandwidth_efficiency, ph.floor_seconds_per_byte);
    t += ph.repeat * (bytes * per_byte + ph.latency_s + p.step_latency_s);
    if (ph.repeat >= 2) bubble = std::max(bubble, bytes * per_byte);
  }
  // The unoverlapped last slice of a pass around a ring (NCCL Simple): a fraction of one step's
  // data time. Single-step phases (mesh, in-switch) make no pass and have no such bubble.
  return t + p.pipeline_bubble_steps * bubble;
}

}  // namespace rackscope::collective
