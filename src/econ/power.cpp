#include <fmt/format.h>

#include <numeric>
#include <stdexcept>

#include "econ/cost.hpp"
#include "econ/parts.hpp"
#include "econ/require.hpp"

namespace rackscope::econ {
namespace {
// Every part at its stated power, chips at `chip_draw` of their peak.
PowerDraw draw(const fabric::Fabric& f, double chip_draw) {
  const hw::ClusterSpec& c = f.spec();
  const hw::RackEconomics& r = rack_economics(c);
  const hw::ClusterEconomics& e = cluster_economics(c);
  const FabricParts p = count_parts(f);
  PowerDraw d;
  d.chip_draw = chip_draw;
  d.chips_W = static_cast<double>(f.chips()) * chip_peak_W(c) * chip_draw;
  d.hosts_W = p.racks * r.hosts.value * r.host_power_W.value;
  const int scale_out_switches = std::accumulate(p.scale_out_switches.begin(), p.scale_out_switches.end(), 0);
  d.switches_W = scale_out_switches * e.switch_power_W.value;
  if (p.scale_up_switches_per_rack > 0) d.switches_W += p.racks * p.scale_up_switches_per_rack * r.scale_up_switch_power_W->value;
  if (p.nics_per_rack > 0) d.nics_W = p.racks * p.nics_per_rack * r.nic_power_W.value;
  const int switch_links = std::accumulate(p.switch_links.begin(), p.switch_links.end(), 0);
  d.optics_W = p.nic_links * e.nic_link_power_W.value + switch_links * e.switch_link_power_W.value;
  d.other_W = p.racks * r.rack_overhead_power_W.value;
  d.it_W = d.chips_W + d.hosts_W + d.switches_W + d.nics_W + d.optics_W + d.other_W;
  d.facility_W = d.it_W * e.pue.value;
  return d;
}

enum class Draw { compute, memory, communication, idle };

// What a chip does during each term of eval::Report::breakdown. A new term must say how a chip
// draws power during it (-Wswitch names a term missing here).
Draw draw_of(eval::Term term) {
  using eval::Term;
  switch (term) {
    case Term::compute:
    case Term::recompute: return Draw::compute;
    case Term::optimizer: return Draw::memory;
    case Term::tp_comm:
    case Term::cp_comm:
    case Term::ep_comm:
    case Term::pp_comm:
    case Term::dp_comm: return Draw::communication;
    case Term::pp_bubble:
    case Term::overhead: return Draw::idle;
  }
  throw std::logic_error(fmt::format("econ: breakdown term {} has no power class (econ/power.cpp)", static_cast<int>(term)));
}
}  // namespace

PowerDraw peak_power(const fabric::Fabric& f) { return draw(f, 1.0); }

double chip_draw(const fabric::Fabric& f, const eval::Report& step) {
  if (!step.feasible() || !(step.step_time_s > 0)) throw std::logic_error("econ: power at load of an infeasible step");
  const hw::RackEconomics& r = rack_economics(f.spec());
  double weighted = 0, total = 0;
  for (std::size_t t = 0; t < eval::term_count; ++t) {
    const double seconds = step.breakdown.s[t];
    double share = 1;
    switch (draw_of(eval::term_at(t))) {
      case Draw::compute: share = 1; break;
      case Draw::memory: share = r.memory_bound_fraction.value; break;
      case Draw::communication: share = r.communication_fraction.value; break;
      case Draw::idle: share = r.idle_fraction.value; break;
    }
    weighted += seconds * share;
    total += seconds;
  }
  return total > 0 ? weighted / total : 1.0;
}

PowerDraw with_chip_draw(const PowerDraw& peak, double share) {
  PowerDraw d = peak;
  d.chip_draw = share;
  d.chips_W = peak.chips_W / peak.chip_draw * share;
  d.it_W = d.chips_W + d.hosts_W + d.switches_W + d.nics_W + d.optics_W + d.other_W;
  d.facility_W = d.it_W * (peak.facility_W / peak.it_W);  // PUE
  return d;
}

PowerDraw power_at_load(const fabric::Fabric& f, const eval::Report& step) { return draw(f, chip_draw(f, step)); }

}  // namespace rackscope::econ
