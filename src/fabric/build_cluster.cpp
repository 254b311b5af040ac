#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "fabric/clos_shape.hpp"
#include "fabric/fabric_impl.hpp"
#include "fabric/size_estimate.hpp"
#include "units/check.hpp"

namespace rackscope::fabric {

const char* tier_name(Tier t) {
  switch (t) {
    case Tier::on_chip: return "on_chip";
    case Tier::die_to_die: return "die_to_die";
    case Tier::scale_up: return "scale_up";
    case Tier::host: return "host";
    case Tier::scale_out: return "scale_out";
  }
  return "?";
}

int GraphParts::add_vertex(VertexKind k, std::string name) {
  const int v = vertex_count();
  kinds.push_back(k);
  if (names_.empty() || names_.back().name_of) names_.push_back({v, {}, {}});
  names_.back().listed.push_back(std::move(name));
  return v;
}

int GraphParts::add_vertices(VertexKind k, int count, std::function<std::string(int)> name_of) {
  const int first = vertex_count();
  kinds.insert(kinds.end(), count, k);
  names_.push_back({first, {}, std::move(name_of)});
  return first;
}

std::string GraphParts::name(int v) const {
  auto it = std::upper_bound(names_.begin(), names_.end(), v, [](int x, const Names& n) { return x < n.first; });
  RACKSCOPE_ASSERT(it != names_.begin() && v < vertex_count(), "a vertex of the fabric");
  --it;
  return it->name_of ? it->name_of(v - it->first) : it->listed[v - it->first];
}

int GraphParts::add_link(int a, int b, double bandwidth_Bps, double latency_s, Tier tier, int cables) {
  const int id = static_cast<int>(links.size());
  links.push_back({a, b, bandwidth_Bps, latency_s, tier, cables});
  if (a != b) links.push_back({b, a, bandwidth_Bps, latency_s, tier, cables});
  return id;
}

namespace {
ClusterShape cluster_shape(const hw::ClusterSpec& spec) {
  ClusterShape s;
  s.spec = spec;
  s.racks = spec.racks;
  s.chips_per_rack = spec.rack.chips;
  s.chips = s.racks * s.chips_per_rack;
  s.ranks_per_chip = spec.rack.chip.ranks_per_chip;
  if (spec.scale_out.kind != hw::ScaleOutSpec::Kind::none) {
    const ClosShape clos = clos_shape(spec);
    if (!clos.problem.empty()) throw std::invalid_argument(clos.problem);
  }
  return s;
}

// Every rank's core joins its chip (or its die) by its own link (its DMA / collective engine).
void add_cores(Fabric::Impl& m) {
  const hw::Chip& chip = m.shape.spec.rack.chip;
  const int rpc = m.shape.ranks_per_chip, cpr = m.shape.chips_per_rack;
  const int first = m.g.add_vertices(VertexKind::core, m.shape.chips * rpc, [rpc, cpr](int e) {
    const int c = e / rpc;
    return fmt::format("r{}.chip{}.core{}", c / cpr, c % cpr, e % rpc);
  });
  for (int e = 0; e < m.shape.chips * rpc; ++e) {
    const int c = e / rpc, local = e % rpc;
    const int core = first + e;
    const int id = m.g.add_link(core, m.dies.attach(c, local), chip.core_bandwidth_Bps, chip.core_latency_s, Tier::on_chip);
    m.core_up.push_back(id);
    m.core_down.push_back(id + 1);
  }
}
}  // namespace

// Chips first (vertex c is chip c), then dies, cores, each rack's scale-up fabric, scale-out.
Fabric::Fabric(const hw::ClusterSpec& spec) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.shape = cluster_shape(spec);
  ranks_per_chip_ = m.shape.ranks_per_chip;
  // The tables sized once from the spec's counts: grown by doubling, a million-chip fabric's 29M
  // directed links were copied and their pages touched about three times over.
  const SizeEstimate size = estimate_size(spec);
  m.g.links.reserve(static_cast<size_t>(2 * size.links));
  m.g.kinds.reserve(static_cast<size_t>(size.vertices));
  m.g.add_vertices(VertexKind::chip, m.shape.chips,
                   [cpr = m.shape.chips_per_rack](int c) { return fmt::format("r{}.chip{}", c / cpr, c % cpr); });
  if (spec.rack.chip.dies > 1) m.dies.build(m.shape, m.g);
  add_cores(m);
  m.up.build(m.shape, m.g);
  if (spec.scale_out.kind != hw::ScaleOutSpec::Kind::none && spec.rack.nics.count > 0) m.out.build(m.shape, m.g);
}

Fabric::~Fabric() = default;

const hw::ClusterSpec& Fabric::spec() const { return impl_->shape.spec; }
int Fabric::chips() const { return impl_->shape.chips; }
int Fabric::racks() const { return impl_->shape.racks; }
int Fabric::endpoints() const { return impl_->shape.chips * impl_->shape.ranks_per_chip; }
int Fabric::chips_per_rack() const { return impl_->shape.chips_per_rack; }
int Fabric::vertices() const { return impl_->g.vertex_count(); }
const std::vector<Link>& Fabric::links() const { return impl_->g.links; }
VertexKind Fabric::kind(int v) const { return impl_->g.kinds[v]; }
std::string Fabric::vertex_name(int v) const { return impl_->g.name(v); }
bool Fabric::has_in_switch_reduction() const { return impl_->up.in_switch_reduction(); }
double Fabric::scale_out_egress_Bps(int chip) const {
  const hw::ClusterSpec& spec = impl_->shape.spec;
  if (spec.scale_out.kind == hw::ScaleOutSpec::Kind::none || spec.rack.nics.count == 0) return 0;
  return impl_->out.egress_Bps(chip, impl_->g.links);
}
double Fabric::rack_egress_Bps(int rack) const {
  const hw::ClusterSpec& spec = impl_->shape.spec;
  if (spec.scale_out.kind == hw::ScaleOutSpec::Kind::none || spec.rack.nics.count == 0) return 0;
  return impl_->out.rack_egress_Bps(rack, spec.rack.nics.count, impl_->g.links);
}
const std::vector<int>& Fabric::torus_dims() const { return impl_->up.torus_dims(); }

int Fabric::count(VertexKind k) const {
  int n = 0;
  for (auto kk : impl_->g.kinds) n += kk == k;
  return n;
}

std::vector<int> Fabric::torus_coords(int chip) const {
  std::vector<int> c;
  int local = chip % impl_->shape.chips_per_rack;
  for (int k : impl_->up.torus_dims()) {
    c.push_back(local % k);
    local /= k;
  }
  return c;
}

}  // namespace rackscope::fabric
