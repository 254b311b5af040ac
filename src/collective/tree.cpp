#include <algorithm>
#include <cmath>
#include <map>

#include "collective/algorithms.hpp"

namespace rackscope::collective {

namespace {
// NCCL's binary tree over ranks 0..n-1 (src/graph/trees.cc ncclGetBtree): the root 0 has one
// child, the highest power of two below n; below it rank r (lowest set bit b) has children
// r - b/2 and r + b/2 (the latter pulled in while past n). The parent of rank r > 0.
int btree_parent(int n, int r) {
  int bit = 1;
  while (bit < n && !(bit & r)) bit <<= 1;
  const int up = (r ^ bit) | (bit << 1);
  return up >= n ? (r ^ bit) : up;
}

// Tree `tree` of a double binary tree over `members`, laid as NCCL lays it (ncclGetDtree: the
// second tree mirrored for even n, shifted by one rank for odd n) or heap-ordered (parent of i at
// (i - 1) / 2, the second tree mirrored): flows parent -> child, and back when `up`. Either way
// most inner members of one tree are leaves of the other.
void double_tree_flows(const std::vector<int>& members, int tree, bool nccl, double bytes, bool up, std::vector<Flow>& flows) {
  const int n = static_cast<int>(members.size());
  auto at = [&](int i) { return members[tree == 0 ? i : nccl && n % 2 == 1 ? (i + 1) % n : n - 1 - i]; };
  for (int i = 1; i < n; ++i) {
    const int child = at(i), parent = at(nccl ? btree_parent(n, i) : (i - 1) / 2);
    flows.push_back({parent, child, bytes});
    if (up) flows.push_back({child, parent, bytes});
  }
}
}  // namespace

void binary_tree_flows(const std::vector<int>& members, int tree, double bytes, bool up, std::vector<Flow>& flows) {
  double_tree_flows(members, tree, true, bytes, up, flows);
}

int tree_height(int n) { return static_cast<int>(std::floor(std::log2(n))); }

namespace {
// NCCL's tree across nodes (2.4+): inside every rack a chain of its ranks, across racks a double
// binary tree between the chains' heads; the reduction climbs the chains and the tree, the
// broadcast comes back down, all pipelined in chunks so the tiers overlap. NCCL runs one tree
// per channel and spreads the channels over the NICs; as for rings, when racks use their own NICs
// one tree is laid per NIC, each chain rotated so that another rank (and its NIC) is the head,
// each carrying 1/channels of the data. Stages: 2((m-1) + floor(log2 R)), of which 2 floor(log2 R)
// cross the network (NCCL tuning.cc: 2((nRanks/nNodes-1) intraLat + log2i(nNodes) interLat)).
AlgorithmCost plan_node_tree(const fabric::Fabric& f, const Group& g, Op op, const std::map<int, std::vector<int>>& by_rack,
                             PhaseScratch& loads) {
  AlgorithmCost a;
  const int racks = static_cast<int>(by_rack.size());
  const int m = static_cast<int>(by_rack.begin()->second.size());
  std::vector<std::vector<int>> chains;
  for (const auto& [rack, members] : by_rack) chains.push_back(f.ring_order(members));
  const auto& nics = f.spec().rack.nics;
  const int channels = !nics.striped && nics.count > 0 ? std::min(nics.count, m) : 1;
  const bool up = op == Op::allreduce;
  std::vector<Flow> flows;
  for (int c = 0; c < channels; ++c) {
    const double bytes = 0.5 / channels;  // each of the two trees carries half
    std::vector<int> heads;
    for (const auto& chain : chains) {
      const size_t shift = static_cast<size_t>(c) * m / channels;
      std::vector<int> rotated(chain.begin() + shift, chain.end());
      rotated.insert(rotated.end(), chain.begin(), chain.begin() + shift);
      heads.push_back(rotated.front());
      for (int tree = 0; tree < 2; ++tree)
        for (int i = 1; i < m; ++i) {
          flows.push_back({rotated[i - 1], rotated[i], bytes});
          if (up) flows.push_back({rotated[i], rotated[i - 1], bytes});
        }
    }
    for (int tree = 0; tree < 2; ++tree) binary_tree_flows(heads, tree, bytes, up, flows);
  }
  a.phases.push_back(price_phase(f, g, flows, 1, loads));
  const int passes = up ? 2 : 1;
  a.pipeline_stages = passes * ((m - 1) + tree_height(racks));
  a.network_pipeline_stages = passes * tree_height(racks);
  return a;
}
}  // namespace

// Double binary tree (Sanders, Speck & Traff 2009; NCCL 2.4): two binary trees, most leaves of
// one inner nodes of the other, each carrying half the data. All-reduce reduces up and
// broadcasts down, pipelined in chunks: in steady state every tree edge carries a chunk both
// ways, over 2 * height stages. A group over several racks with as many ranks in each is treated
// as NCCL does: chains inside, NCCL's double tree across (binary_tree_flows); any other group
// gets a flat heap-ordered double tree over its ring order.
AlgorithmCost plan_double_binary_tree(const fabric::Fabric& f, const Group& g, Op op, PhaseScratch& loads) {
  AlgorithmCost a;
  if (op != Op::allreduce && op != Op::broadcast) return not_applicable("trees serve all-reduce and broadcast");
  std::map<int, std::vector<int>> by_rack;
  for (int e : g.endpoints) by_rack[f.rack_of(e)].push_back(e);
  bool even = by_rack.size() > 1;
  for (const auto& [rack, members] : by_rack) even = even && members.size() == by_rack.begin()->second.size();
  if (even) return plan_node_tree(f, g, op, by_rack, loads);
  const int n = g.size();
  std::vector<Flow> flows;
  const std::vector<int> order = f.ring_order(g.endpoints);
  // NCCL has no flat tree (inside a node it runs chains); the heap layout spreads a flat group's
  // load over its ranks as a double tree does.
  for (int tree = 0; tree < 2; ++tree) double_tree_flows(order, tree, false, 0.5, op == Op::allreduce, flows);
  a.phases.push_back(price_phase(f, g, flows, 1, loads));
  a.pipeline_stages = (op == Op::allreduce ? 2 : 1) * tree_height(n);
  return a;
}

}  // namespace rackscope::collective
