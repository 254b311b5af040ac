#include "collective/select.hpp"

#include "collective/algorithms.hpp"
#include "collective/timing.hpp"

namespace rackscope::collective {

const std::vector<std::string>& algorithm_names() {
  static const std::vector<std::string> names = {"ring", "bidir-ring", "tree", "rhd", "mesh", "hierarchical", "torus", "in-switch"};
  return names;
}

Planner::Planner(const fabric::Fabric& f) : fabric_(f), loads_(f.links().size()) {}

const std::vector<AlgorithmCost>& Planner::plans(Op op, const Group& g) {
  auto key = std::make_pair(static_cast<int>(op), g.chips);
  auto it = cache_.find(key);
  if (it != cache_.end()) return it->second;
  std::vector<AlgorithmCost> all;
  if (g.size() >= 2) {
    all.push_back(plan_ring(fabric_, g, op, false, loads_));
    all.push_back(plan_ring(fabric_, g, op, true, loads_));
    all.push_back(plan_double_binary_tree(fabric_, g, op, loads_));
    all.push_back(plan_halving_doubling(fabric_, g, op, loads_));
    all.push_back(plan_mesh(fabric_, g, op, loads_));
    all.push_back(plan_hierarchical(fabric_, g, op, loads_));
    all.push_back(plan_torus_rings(fabric_, g, op, loads_));
    all.push_back(plan_in_switch(fabric_, g, op, loads_));
  }
  return cache_.emplace(key, std::move(all)).first->second;
}

std::optional<Choice> Planner::best(Op op, const Group& g, double bytes, const std::string& only) {
  if (g.size() < 2) return Choice{"none", "none", 0.0};
  const auto& runtime = fabric_.spec().rack.chip.collectives;
  std::optional<Choice> best;
  for (const auto& a : plans(op, g)) {
    if (!a.applicable || (!only.empty() && a.name != only)) continue;
    for (const auto& p : runtime.protocols) {
      if (p.max_bytes > 0 && bytes > p.max_bytes) continue;
      const double t = algorithm_time(a, bytes, p, runtime.launch_overhead_s);
      if (!best || t < best->time_s) best = Choice{a.name, p.name, t};
    }
  }
  return best;
}

}  // namespace rackscope::collective
