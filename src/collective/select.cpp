#include "collective/select.hpp"

#include <algorithm>
#include <utility>

#include "collective/algorithms.hpp"
#include "collective/timing.hpp"

namespace rackscope::collective {

Planner::Planner(const fabric::Fabric& f, hw::CollectiveRuntime runtime)
    : fabric_(f), runtime_(std::move(runtime)), loads_(f.links().size()) {}

const std::vector<AlgorithmCost>& Planner::plans(Op op, const Group& g) {
  // FNV-1a over the op, the endpoints and the siblings' offsets.
  uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(op);
  for (int e : g.endpoints) h = (h ^ static_cast<uint64_t>(static_cast<uint32_t>(e))) * 1099511628211ull;
  h = (h ^ 0xffffffffull) * 1099511628211ull;
  for (int s : g.concurrent) h = (h ^ static_cast<uint64_t>(static_cast<uint32_t>(s))) * 1099511628211ull;
  auto& bucket = cache_[h];
  for (const auto& c : bucket)
    if (c->op == static_cast<int>(op) && c->endpoints == g.endpoints && c->concurrent == g.concurrent) return c->plans;
  std::vector<AlgorithmCost> all;
  if (g.size() >= 2)
    for (const Algorithm& alg : algorithms()) {
      all.push_back(alg.plan(fabric_, g, op, loads_));
      all.back().name = alg.name;
    }
  bucket.push_back(std::make_unique<Cached>(Cached{static_cast<int>(op), g.endpoints, g.concurrent, std::move(all)}));
  return bucket.back()->plans;
}

std::optional<Choice> Planner::best(Op op, const Group& g, double bytes, const std::string& only) {
  if (g.size() < 2) return Choice{"none", "none", 0.0};
  const auto& runtime = runtime_;
  const auto& all = plans(op, g);
  // auto: the runtime's own selection table, first matching row with an applicable algorithm;
  // a row naming several algorithms or protocols takes the fastest of them.
  auto listed = [](const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  if (only.empty() && !runtime.selection.empty()) {
    bool one_rack = true;
    for (int e : g.endpoints) one_rack = one_rack && fabric_.rack_of(e) == fabric_.rack_of(g.endpoints.front());
    for (const auto& row : runtime.selection) {
      using Scope = hw::SelectionRow::Scope;
      if (row.scope == Scope::rack && !one_rack) continue;
      if (row.scope == Scope::cluster && one_rack) continue;
      if (row.max_bytes > 0 && bytes > row.max_bytes) continue;
      if (!row.ops.empty() && !listed(row.ops, op_name(op))) continue;
      std::optional<Choice> pick;
      for (const auto& a : all) {
        if (!a.applicable || !listed(row.algorithms, a.name)) continue;
        for (const auto& p : runtime.protocols) {
          if (!listed(row.protocols, p.name)) continue;
          const double t = algorithm_time(a, bytes, p, runtime.launch_overhead_s, runtime.network_latency_s, runtime.network_steps_in_flight);
          if (!pick || t < pick->time_s) pick = Choice{a.name, p.name, t};
        }
      }
      if (pick) return pick;
    }
  }
  // best: the fastest by the model; auto with no applicable row: the fastest the runtime has.
  std::optional<Choice> best;
  for (const auto& a : all) {
    if (!a.applicable || (!only.empty() && only != "best" && a.name != only)) continue;
    if (only.empty() && std::find(runtime.algorithms.begin(), runtime.algorithms.end(), a.name) == runtime.algorithms.end()) continue;
    for (const auto& p : runtime.protocols) {
      const double t = algorithm_time(a, bytes, p, runtime.launch_overhead_s, runtime.network_latency_s, runtime.network_steps_in_flight);
      if (!best || t < best->time_s) best = Choice{a.name, p.name, t};
    }
  }
  return best;
}

}  // namespace rackscope::collective
