#include <algorithm>
#include <cmath>
#include <map>
#include <variant>

#include "collective/algorithms.hpp"

namespace rackscope::collective {

namespace {
// Above this many chips the search is not tried (direct-connect racks are small: DGX-1 has 8,
// a Trainium instance 16).
constexpr int kMaxChips = 64;
// Hamiltonian-cycle search steps, all ring sets together: a fixed budget keeps planning
// bounded and deterministic; the best set found within it is used.
constexpr long kSearchBudget = 20000;

using Capacity = std::vector<std::vector<int>>;  // parallel link units between two group chips

struct Search {
  int n = 0;
  Capacity cap;
  long steps = 0;
  int bound = 0;  // no more cycles than half the smallest degree
  std::vector<std::vector<int>> current, best;

  // Depth-first Hamiltonian cycles from chip 0 in the remaining capacity; each one found is
  // taken out and the search goes on for more, keeping the largest set of cycles.
  void cycles() {
    if (current.size() > best.size()) best = current;
    if (static_cast<int>(best.size()) >= bound || steps > kSearchBudget) return;
    std::vector<int> path = {0};
    std::vector<bool> used(n, false);
    used[0] = true;
    extend(path, used);
  }
  void extend(std::vector<int>& path, std::vector<bool>& used) {
    if (static_cast<int>(best.size()) >= bound || ++steps > kSearchBudget) return;
    const int last = path.back();
    if (static_cast<int>(path.size()) == n) {
      // Each cycle once (not also reversed), closing back to chip 0.
      if (cap[last][0] == 0 || path[1] > path.back()) return;
      take(path, -1);
      current.push_back(path);
      cycles();
      current.pop_back();
      take(path, +1);
      return;
    }
    for (int next = 1; next < n; ++next) {
      if (used[next] || cap[last][next] == 0) continue;
      used[next] = true;
      path.push_back(next);
      extend(path, used);
      path.pop_back();
      used[next] = false;
    }
  }
  void take(const std::vector<int>& cycle, int units) {
    for (int i = 0; i < n; ++i) {
      const int a = cycle[i], b = cycle[(i + 1) % n];
      cap[a][b] += units, cap[b][a] += units;
    }
  }
};

// Link units between the group's chips: each direct chip-to-chip scale-up link counts its
// bandwidth in units of the slowest such link (DGX-1's doubled NVLink pairs count 2).
Capacity link_units(const fabric::Fabric& f, const std::vector<int>& chips) {
  std::map<int, int> index;
  for (size_t i = 0; i < chips.size(); ++i) index[chips[i]] = static_cast<int>(i);
  double unit = 0;
  for (const fabric::Link& l : f.links())
    if (l.tier == fabric::Tier::scale_up && index.count(l.from) && index.count(l.to))
      unit = unit == 0 ? l.bandwidth_Bps : std::min(unit, l.bandwidth_Bps);
  Capacity cap(chips.size(), std::vector<int>(chips.size(), 0));
  if (unit == 0) return cap;
  for (const fabric::Link& l : f.links())
    if (l.tier == fabric::Tier::scale_up && index.count(l.from) && index.count(l.to) && l.from < l.to) {
      const int units = static_cast<int>(std::lround(l.bandwidth_Bps / unit));
      cap[index[l.from]][index[l.to]] += units;
      cap[index[l.to]][index[l.from]] += units;
    }
  return cap;
}
}  // namespace

// Several rings over disjoint links (NCCL's ring search on DGX-1's hybrid cube-mesh, Neuron's
// multi-ring on the Trainium tori): on a rack whose chips are linked directly (no scale-up
// switch), as many edge-disjoint Hamiltonian cycles over the group's chips as the links allow,
// each run both ways (NVLink and NeuronLink are full duplex), the data split evenly over them.
// The ranks of one chip sit next to each other in every ring. A ring step then moves
// S/(n * rings * 2) over each link unit instead of one ring's S/n over whatever route the
// rank order takes.
AlgorithmCost plan_multi_ring(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads) {
  AlgorithmCost a;
  if (op != Op::allreduce && op != Op::reducescatter && op != Op::allgather)
    return not_applicable("serves all-reduce, reduce-scatter and all-gather");
  const auto& scale_up = f.spec().rack.scale_up;
  if (std::holds_alternative<hw::SwitchSpec>(scale_up)) return not_applicable("the rack's chips meet at switches");
  if (const auto* e = std::get_if<hw::ExplicitSpec>(&scale_up); e && e->switches > 0)
    return not_applicable("the rack's chips meet at switches");
  std::map<int, std::vector<int>> by_chip;
  for (int e : g.endpoints) by_chip[f.chip_of(e)].push_back(e);
  std::vector<int> chips;
  for (const auto& [chip, ranks] : by_chip) {
    if (f.rack_of_chip(chip) != f.rack_of_chip(by_chip.begin()->first)) return not_applicable("the group spans racks");
    if (ranks.size() != by_chip.begin()->second.size()) return not_applicable("chips hold different numbers of ranks");
    chips.push_back(chip);
  }
  const int n = static_cast<int>(chips.size());
  if (n < 3) return not_applicable("fewer than 3 chips");
  if (n > kMaxChips) return not_applicable("more than 64 chips");
  Search s;
  s.n = n;
  s.cap = link_units(f, chips);
  s.bound = 1 << 20;
  for (const auto& row : s.cap) {
    int degree = 0;
    for (int units : row) degree += units;
    s.bound = std::min(s.bound, degree / 2);
  }
  s.cycles();
  if (s.best.empty()) return not_applicable("no ring over direct links reaches every chip");
  const double rings = static_cast<double>(s.best.size());
  const double piece = 1.0 / g.size();
  std::vector<Flow> flows;
  for (const auto& cycle : s.best) {
    std::vector<int> order;
    for (int c : cycle) order.insert(order.end(), by_chip[chips[c]].begin(), by_chip[chips[c]].end());
    auto part = ring_flows(order, piece / rings, true);
    flows.insert(flows.end(), part.begin(), part.end());
  }
  const double steps = op == Op::allreduce ? 2.0 * (g.size() - 1) : g.size() - 1.0;
  a.phases.push_back(price_phase(f, g, flows, steps, loads));
  return a;
}

}  // namespace rackscope::collective
