#include "collective/select.hpp"

#include <algorithm>
#include <iterator>
#include <utility>

#include "collective/algorithms.hpp"
#include "collective/timing.hpp"
#include "units/check.hpp"

namespace rackscope::collective {

namespace {
bool listed(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}
}  // namespace

Planner::Planner(const fabric::Fabric& f, hw::CollectiveRuntime runtime)
    : fabric_(f), runtime_(std::move(runtime)), loads_(f.links().size()) {
  const std::vector<Algorithm>& registry = algorithms();
  for (const auto& alg : registry) runtime_has_.push_back(listed(runtime_.algorithms, alg.name));
  for (const auto& p : runtime_.protocols) {
    std::vector<char> runs;
    for (const auto& alg : registry) runs.push_back(!listed(p.unsupported_algorithms, alg.name));
    protocol_runs_.push_back(std::move(runs));
  }
  for (const auto& row : runtime_.selection) {
    Row r;
    for (size_t o = 0; o < std::size(r.op); ++o) r.op[o] = row.ops.empty() || listed(row.ops, op_name(static_cast<Op>(o)));
    for (const auto& alg : registry) r.algorithm.push_back(listed(row.algorithms, alg.name));
    for (const auto& p : runtime_.protocols) r.protocol.push_back(listed(row.protocols, p.name));
    rows_.push_back(std::move(r));
  }
}

Planner::Cached& Planner::entry(Op op, const Group& g) {
  // FNV-1a over the op, the endpoints and the siblings' offsets.
  uint64_t h = 1469598103934665603ull ^ static_cast<uint64_t>(op);
  for (int e : g.endpoints) h = (h ^ static_cast<uint64_t>(static_cast<uint32_t>(e))) * 1099511628211ull;
  h = (h ^ 0xffffffffull) * 1099511628211ull;
  for (int s : g.concurrent) h = (h ^ static_cast<uint64_t>(static_cast<uint32_t>(s))) * 1099511628211ull;
  auto& bucket = cache_[h];
  for (const auto& c : bucket)
    if (c->op == static_cast<int>(op) && c->endpoints == g.endpoints && c->concurrent == g.concurrent) return *c;
  const size_t n = g.size() >= 2 ? algorithms().size() : 0;
  bool one_rack = true;
  for (int e : g.endpoints) one_rack = one_rack && fabric_.rack_of(e) == fabric_.rack_of(g.endpoints.front());
  bucket.push_back(std::make_unique<Cached>(Cached{static_cast<int>(op), g.endpoints, g.concurrent, one_rack,
                                                   std::vector<AlgorithmCost>(n), std::vector<char>(n, 0),
                                                   std::vector<CostFloor>(n, CostFloor{0, -1})}));
  return *bucket.back();
}

const AlgorithmCost& Planner::plan(Cached& c, const Group& g, size_t algorithm) {
  if (!c.planned[algorithm]) {
    // A communicator laid out past the fabric's last endpoint is a placement bug: an internal
    // error here, not an out-of-range route deep in the fabric.
    RACKSCOPE_ASSERT(g.endpoints.empty() || *std::max_element(g.endpoints.begin(), g.endpoints.end()) < fabric_.endpoints(),
                     "a communicator's endpoints lie inside the fabric");
    const Algorithm& alg = algorithms()[algorithm];
    c.plans[algorithm] = alg.plan(fabric_, g, static_cast<Op>(c.op), loads_);
    c.plans[algorithm].name = alg.name;
    c.planned[algorithm] = 1;
  }
  return c.plans[algorithm];
}

bool Planner::cannot_beat(Cached& c, const Group& g, size_t algorithm, double bytes, double time_s, const std::vector<char>* protocols) {
  const Algorithm& alg = algorithms()[algorithm];
  if (c.planned[algorithm] || !alg.floor) return false;
  CostFloor& floor = c.floors[algorithm];
  if (floor.steps < 0) floor = alg.floor(fabric_, g, static_cast<Op>(c.op));
  for (size_t j = 0; j < runtime_.protocols.size(); ++j) {
    const hw::Protocol& p = runtime_.protocols[j];
    if (protocols && !(*protocols)[j]) continue;
    const double least = runtime_.launch_overhead_s + floor.steps * p.step_latency_s + bytes * floor.seconds_per_byte / p.bandwidth_efficiency;
    // The floor's own sums round too: it must be under the time, not merely near it.
    if (least * (1 - 1e-9) < time_s) return false;
  }
  return true;
}

const std::vector<AlgorithmCost>& Planner::plans(Op op, const Group& g) {
  Cached& c = entry(op, g);
  for (size_t i = 0; i < c.plans.size(); ++i) plan(c, g, i);
  return c.plans;
}

size_t Planner::cached_plans() const {
  size_t n = 0;
  for (const auto& [h, bucket] : cache_) n += bucket.size();
  return n;
}

std::optional<Choice> Planner::best(Op op, const Group& g, double bytes, const std::string& only) {
  if (g.size() < 2) return Choice{"none", "none", 0.0};
  return choose(entry(op, g), op, g, bytes, only);
}

std::optional<Choice> Planner::best(Op op, const GroupShape& shape, double bytes, const std::string& only) {
  if (shape.size() < 2) return Choice{"none", "none", 0.0};
  auto& bucket = shapes_[shape.hash()];
  Shaped* s = nullptr;
  for (const auto& c : bucket)
    if (c->shape == shape) s = c.get();
  if (!s) {
    bucket.push_back(std::make_unique<Shaped>(Shaped{shape, materialize(shape), {}}));
    s = bucket.back().get();
  }
  const auto o = static_cast<size_t>(op);
  RACKSCOPE_ASSERT(o < std::size(s->per_op), "one plan entry per op");
  if (!s->per_op[o]) s->per_op[o] = &entry(op, s->group);
  return choose(*s->per_op[o], op, s->group, bytes, only);
}

std::optional<Choice> Planner::choose(Cached& cached, Op op, const Group& g, double bytes, const std::string& only) {
  const auto& runtime = runtime_;
  const std::vector<Algorithm>& registry = algorithms();
  // The pick so far as (registry index, protocol index, time): names are copied once, at the end.
  struct Pick {
    size_t algorithm = 0, protocol = 0;
    double time_s = 0;
  };
  std::optional<Pick> pick;
  auto consider = [&](size_t i, const AlgorithmCost& a, const std::vector<char>* protocols) {
    for (size_t j = 0; j < runtime.protocols.size(); ++j) {
      if ((protocols && !(*protocols)[j]) || !protocol_runs_[j][i]) continue;
      const double t =
          algorithm_time(a, bytes, runtime.protocols[j], runtime.launch_overhead_s, runtime.network_latency_s, runtime.network_steps_in_flight);
      if (!pick || t < pick->time_s) pick = Pick{i, j, t};
    }
  };
  auto chosen = [&]() -> std::optional<Choice> {
    if (!pick) return std::nullopt;
    return Choice{registry[pick->algorithm].name, runtime.protocols[pick->protocol].name, pick->time_s};
  };
  // auto: the runtime's own selection table, first matching row with an applicable algorithm;
  // a row naming several algorithms or protocols takes the fastest of them.
  if (only.empty() && !runtime.selection.empty()) {
    for (size_t r = 0; r < runtime.selection.size(); ++r) {
      const hw::SelectionRow& row = runtime.selection[r];
      const Row& names = rows_[r];
      using Scope = hw::SelectionRow::Scope;
      if (row.scope == Scope::rack && !cached.one_rack) continue;
      if (row.scope == Scope::cluster && cached.one_rack) continue;
      if (row.max_bytes > 0 && bytes > row.max_bytes) continue;
      if (!names.op[static_cast<size_t>(op)]) continue;
      for (size_t i = 0; i < registry.size(); ++i) {
        if (!names.algorithm[i]) continue;
        if (pick && cannot_beat(cached, g, i, bytes, pick->time_s, &names.protocol)) continue;
        const AlgorithmCost& a = plan(cached, g, i);
        if (!a.applicable) continue;
        consider(i, a, &names.protocol);
      }
      if (pick) return chosen();
    }
  }
  // best: the fastest by the model; auto with no applicable row: the fastest the runtime has.
  for (size_t i = 0; i < registry.size(); ++i) {
    if (!only.empty() && only != "best" && registry[i].name != only) continue;
    if (only.empty() && !runtime_has_[i]) continue;
    if (pick && cannot_beat(cached, g, i, bytes, pick->time_s, nullptr)) continue;
    const AlgorithmCost& a = plan(cached, g, i);
    if (!a.applicable) continue;
    consider(i, a, nullptr);
  }
  return chosen();
}

}  // namespace rackscope::collective
