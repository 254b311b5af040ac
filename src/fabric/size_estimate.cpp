#include "fabric/size_estimate.hpp"

#include <algorithm>
#include <variant>

#include "fabric/clos_shape.hpp"

namespace rackscope::fabric {
namespace {
// Memory per physical link and per vertex: the graph's two directed edges and Link records,
// the vertex's kind and name, the routing tables and caches, and describe()'s path and flow
// graphs (cores and dies left out of both). Measured with /usr/bin/time on `rackscope topo`, the
// larger of topo and a 1 GiB all-reduce, of trn3-ultraserver-gen2 (radix 64, up to 4 levels)
// from 512 to 6,944 racks (1.03M and 14.5M links, 0.62M and 8.39M vertices: 233 MB and 2.98 GB
// peak): 119 B a link with 150 B a vertex; 160 B a link keeps a fifth in hand.
constexpr double kBytesPerLink = 160, kBytesPerVertex = 150;

struct Counts {
  double vertices = 0, links = 0;
};

// One rack's scale-up switches and links.
Counts scale_up(const hw::RackSpec& r) {
  Counts c;
  const double n = r.chips;
  if (const auto* t = std::get_if<hw::TorusSpec>(&r.scale_up)) {
    c.links = n * static_cast<double>(t->dims.size());
  } else if (const auto* s = std::get_if<hw::SwitchSpec>(&r.scale_up)) {
    const double per_leaf = s->chips_per_leaf == 0 ? n : s->chips_per_leaf;
    const double leaves = std::max(1.0, n / per_leaf);
    const double spines = leaves > 1 ? s->spines : 0;
    c.vertices = s->planes * (leaves + spines);
    c.links = s->planes * (n + leaves * spines);
  } else if (const auto* e = std::get_if<hw::ExplicitSpec>(&r.scale_up)) {
    c.vertices = e->switches;
    c.links = static_cast<double>(e->links.size());
  }
  return c;
}

// The scale-out tier: host switches and host links, NICs, leaves, spines and cores.
Counts scale_out(const hw::ClusterSpec& s) {
  Counts c;
  const auto& nic = s.rack.nics;
  if (nic.count == 0) return c;
  const double racks = s.racks, cpr = s.rack.chips, npr = nic.count;
  c.vertices = racks * npr + (nic.striped ? racks : 0);
  c.links = racks * (nic.striped ? cpr + npr : std::max(cpr, npr));
  if (s.scale_out.kind == hw::ScaleOutSpec::Kind::none) return c;
  const ClosShape shape = clos_shape(s);
  c.vertices += shape.leaves;
  c.links += racks * npr;  // NIC -> leaf
  // Links into the top level are bundles of top_bundle cables: one graph link each.
  const double bundle = shape.top_bundle;
  if (shape.levels == 2) {
    c.vertices += shape.up / bundle;
    c.links += static_cast<double>(shape.leaves) * shape.up / bundle;
  } else if (shape.levels >= 4) {
    // Level-l pods of level_positions[l] switches; each switch below links to radix/2 above.
    const double half = s.scale_out.radix / 2;
    c.links += static_cast<double>(shape.leaves) * static_cast<double>(shape.level_positions[2]);
    for (int l = 2; l <= shape.levels; ++l) {
      c.vertices += static_cast<double>(shape.level_pods[l]) * static_cast<double>(shape.level_positions[l]);
      if (l >= 3)
        c.links += static_cast<double>(shape.level_pods[l - 1]) * static_cast<double>(shape.level_positions[l - 1]) * half /
                   (l == shape.levels ? bundle : 1);
    }
  } else if (shape.levels == 3) {
    const double cores = static_cast<double>(shape.up) * (s.scale_out.radix / 2) / bundle;
    c.vertices += static_cast<double>(shape.pods) * shape.up + cores;
    c.links += static_cast<double>(shape.leaves) * shape.up + static_cast<double>(shape.pods) * shape.up * (s.scale_out.radix / 2) / bundle;
  }
  return c;
}
}  // namespace

SizeEstimate estimate_size(const hw::ClusterSpec& spec) {
  SizeEstimate e;
  const hw::Chip& chip = spec.rack.chip;
  e.chips = static_cast<double>(spec.racks) * spec.rack.chips;
  // Per chip: its cores and their links, its dies with their links to the chip and each other.
  // (A chip of one die has no die vertex: build_cluster builds the die tier from two dies.)
  const double dies = chip.dies > 1 ? chip.dies : 0, die_links = chip.dies > 1 ? static_cast<double>(chip.die_links.size()) : 0;
  e.vertices = e.chips * (1 + chip.ranks_per_chip + dies);
  e.links = e.chips * (chip.ranks_per_chip + dies + die_links);
  const Counts up = scale_up(spec.rack), out = scale_out(spec);
  e.vertices += spec.racks * up.vertices + out.vertices;
  e.links += spec.racks * up.links + out.links;
  e.bytes = e.links * kBytesPerLink + e.vertices * kBytesPerVertex;
  return e;
}

}  // namespace rackscope::fabric
