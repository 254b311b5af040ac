#include <fmt/format.h>

#include <stdexcept>

#include "fabric/clos_shape.hpp"
#include "fabric/fabric_impl.hpp"

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

int Fabric::Impl::add_vertex(VertexKind k, std::string name) {
  const int v = static_cast<int>(boost::add_vertex(graph));
  kinds.push_back(k);
  names.push_back(std::move(name));
  return v;
}

int Fabric::Impl::add_link(int a, int b, double bandwidth_Bps, double latency_s, Tier tier) {
  const int id = static_cast<int>(links.size());
  links.push_back({a, b, bandwidth_Bps, latency_s, tier});
  boost::add_edge(a, b, EdgeData{id}, graph);
  if (a != b) {
    links.push_back({b, a, bandwidth_Bps, latency_s, tier});
    boost::add_edge(b, a, EdgeData{id + 1}, graph);
  }
  return id;
}

// Unit routes between every pair of chips of rack 0 for switched and explicit racks.
void Fabric::Impl::build_local_paths() {
  const int n = chips_per_rack;
  std::vector<char> forwards(kinds.size(), 0);
  const bool chips_forward = std::holds_alternative<hw::ExplicitSpec>(spec.rack.scale_up);
  for (int v = 0; v < static_cast<int>(kinds.size()); ++v) {
    const bool in_rack0 = v < n || (v >= rack_switch_base && v < rack_switch_base + rack_switches);
    forwards[v] = in_rack0 && (kinds[v] == VertexKind::switch_ || chips_forward);
  }
  local_paths.assign(static_cast<size_t>(n) * n, {});
  for (int s = 0; s < n; ++s)
    for (int d = 0; d < n; ++d)
      if (s != d) local_paths[static_cast<size_t>(s) * n + d] = ecmp_paths(graph, links, s, d, forwards);
}

Fabric::Fabric(const hw::ClusterSpec& spec) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.spec = spec;
  m.racks = spec.racks;
  m.chips_per_rack = spec.rack.chips;
  m.chips = m.racks * m.chips_per_rack;
  if (spec.scale_out.kind != hw::ScaleOutSpec::Kind::none) {
    const ClosShape shape = clos_shape(spec);
    if (!shape.problem.empty()) throw std::invalid_argument(shape.problem);
  }
  m.ranks_per_chip = spec.rack.chip.ranks_per_chip;
  ranks_per_chip_ = m.ranks_per_chip;
  for (int c = 0; c < m.chips; ++c) m.add_vertex(VertexKind::chip, fmt::format("r{}.chip{}", c / m.chips_per_rack, c % m.chips_per_rack));
  if (spec.rack.chip.dies > 1) m.build_dies();
  // Every rank's core joins its chip (or its die) by its own link (its DMA / collective engine).
  for (int e = 0; e < m.chips * m.ranks_per_chip; ++e) {
    const int chip = e / m.ranks_per_chip, local = e % m.ranks_per_chip;
    const int core = m.add_vertex(VertexKind::core, fmt::format("{}.core{}", m.names[chip], local));
    const int attach = m.dies > 1 ? m.die_base + chip * m.dies + m.rank_die[local] : chip;
    const int id = m.add_link(core, attach, spec.rack.chip.core_bandwidth_Bps, spec.rack.chip.core_latency_s, Tier::on_chip);
    m.core_up.push_back(id);
    m.core_down.push_back(id + 1);
  }

  m.rack_link_base = static_cast<int>(m.links.size());
  m.rack_switch_base = static_cast<int>(m.kinds.size());
  for (int r = 0; r < m.racks; ++r) {
    std::visit(
        [&](const auto& up) {
          using T = std::decay_t<decltype(up)>;
          if constexpr (std::is_same_v<T, hw::TorusSpec>) m.build_torus(up, r);
          else if constexpr (std::is_same_v<T, hw::SwitchSpec>) m.build_switch_domain(up, r);
          else m.build_explicit(up, r);
        },
        spec.rack.scale_up);
    if (r == 0) {
      m.rack_links = static_cast<int>(m.links.size()) - m.rack_link_base;
      m.rack_switches = static_cast<int>(m.kinds.size()) - m.rack_switch_base;
    }
  }
  if (!std::holds_alternative<hw::TorusSpec>(spec.rack.scale_up)) m.build_local_paths();
  if (spec.scale_out.kind != hw::ScaleOutSpec::Kind::none && spec.rack.nics.count > 0) m.build_scale_out();
}

Fabric::~Fabric() = default;

const hw::ClusterSpec& Fabric::spec() const { return impl_->spec; }
int Fabric::chips() const { return impl_->chips; }
int Fabric::racks() const { return impl_->racks; }
int Fabric::endpoints() const { return impl_->chips * impl_->ranks_per_chip; }
int Fabric::chips_per_rack() const { return impl_->chips_per_rack; }
int Fabric::vertices() const { return static_cast<int>(impl_->kinds.size()); }
const std::vector<Link>& Fabric::links() const { return impl_->links; }
VertexKind Fabric::kind(int v) const { return impl_->kinds[v]; }
std::string Fabric::vertex_name(int v) const { return impl_->names[v]; }
bool Fabric::has_in_switch_reduction() const { return impl_->in_switch_reduction; }
const std::vector<int>& Fabric::torus_dims() const { return impl_->dims; }

int Fabric::count(VertexKind k) const {
  int n = 0;
  for (auto kk : impl_->kinds) n += kk == k;
  return n;
}

std::vector<int> Fabric::torus_coords(int chip) const {
  std::vector<int> c;
  int local = chip % impl_->chips_per_rack;
  for (int k : impl_->dims) {
    c.push_back(local % k);
    local /= k;
  }
  return c;
}

}  // namespace rackscope::fabric
