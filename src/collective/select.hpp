#pragma once
// Planning every algorithm for a group once, then picking the fastest (algorithm, protocol)
// per message size, as NCCL's and Neuron's tuners do.
#include <memory>
#include <unordered_map>
#include <optional>
#include <string>
#include <vector>

#include "collective/algorithms.hpp"
#include "collective/group_shape.hpp"
#include "collective/plan.hpp"
#include "hw/chip.hpp"

namespace rackscope::collective {

struct Choice {
  std::string algorithm, protocol;
  double time_s = 0;
};

class Planner {
 public:
  // `runtime`: the collective library whose selection table, protocols and algorithms choose
  // among the plans (usually the fabric's chip's, `f.spec().rack.chip.collectives`).
  Planner(const fabric::Fabric& f, hw::CollectiveRuntime runtime);
  // Every algorithm's plan for `op` on `g` (cached).
  const std::vector<AlgorithmCost>& plans(Op op, const Group& g);
  // The choice for `bytes`. `only` empty (auto): the runtime's selection table, as its tuner
  // would choose; "best": the fastest by the model; an algorithm name: that algorithm with its
  // fastest protocol. nullopt when no algorithm applies (the reasons are in plans()).
  std::optional<Choice> best(Op op, const Group& g, double bytes, const std::string& only = {});
  // The same for the group a shape describes: found by the shape (a few integers hashed), laid
  // out and looked up by its endpoints once per (shape, op). Equal shapes share one plan.
  std::optional<Choice> best(Op op, const GroupShape& shape, double bytes, const std::string& only = {});
  // Plans held (one per distinct (op, endpoints, siblings)): what tests of plan sharing count.
  size_t cached_plans() const;

 private:
  const fabric::Fabric& fabric_;
  const hw::CollectiveRuntime runtime_;
  PhaseScratch loads_;
  // Plans by (op, endpoints, siblings), found through a hash; the key is kept to rule out collisions.
  // An algorithm is planned when a choice first needs it (the selection table names it, or the
  // fallback looks at it), so plans the runtime would never pick are never routed.
  // Per runtime protocol, per registry algorithm: whether the protocol runs it.
  std::vector<std::vector<char>> protocol_runs_;
  struct Cached {
    int op;
    std::vector<int> endpoints, concurrent;
    bool one_rack = true;  // every endpoint in the first's rack (the selection table's scope)
    std::vector<AlgorithmCost> plans;  // per registry entry, valid where planned[i]
    std::vector<char> planned;
    std::vector<CostFloor> floors;  // per registry entry with a floor, once asked (steps < 0: not yet)
  };
  Cached& entry(Op op, const Group& g);
  std::optional<Choice> choose(Cached& cached, Op op, const Group& g, double bytes, const std::string& only);
  // Per shape: its group, laid out once, and its plan entry per op (null until asked).
  struct Shaped {
    GroupShape shape;
    Group group;
    Cached* per_op[op_count] = {};
  };
  std::unordered_map<uint64_t, std::vector<std::unique_ptr<Shaped>>> shapes_;
  const AlgorithmCost& plan(Cached& c, const Group& g, size_t algorithm);
  // True when the algorithm, not yet planned, cannot beat `time_s` with any of `protocols`
  // (by its floor), so a choice that keeps the first of equally fast ones need not plan it.
  // `protocols`: per runtime protocol, whether it may be used (null: all).
  bool cannot_beat(Cached& c, const Group& g, size_t algorithm, double bytes, double time_s, const std::vector<char>* protocols);
  // The runtime's names resolved once to indices, so a choice compares no strings: per
  // selection row, the ops, registry algorithms and runtime protocols it names; and the registry
  // algorithms the runtime has.
  struct Row {
    bool op[op_count] = {};
    std::vector<char> algorithm, protocol;
  };
  std::vector<Row> rows_;
  std::vector<char> runtime_has_;
  std::unordered_map<uint64_t, std::vector<std::unique_ptr<Cached>>> cache_;  // stable addresses
};

}  // namespace rackscope::collective
