#pragma once
// A cluster's capital cost (bill of materials), its power at peak and at the load a training
// step implies, and what running it costs. Prices and powers come from the rack's and the
// cluster's economics files (hw/economics.hpp); counts come from the fabric graph (parts.hpp).
//
// Every function needs both files: a cluster whose rack or cluster file names no `economics`
// makes them throw io::InputError naming the file and key to add (exit 2 in the CLI). Callers
// that must not throw ask has_economics() first.
#include <string>
#include <vector>

#include "eval/report.hpp"
#include "fabric/fabric.hpp"

namespace rackscope::econ {

struct BomLine {
  std::string item;
  double count = 0, unit_usd = 0, total_usd = 0;
  std::string basis;       // how count and unit price were found
  bool assumed = false;    // the price rests on an assumption, not a source
  std::string provenance;  // the price's source or assumption text
};

struct Capex {
  std::vector<BomLine> rack_lines;     // one rack
  std::vector<BomLine> cluster_lines;  // scale-out switches per level, optics and cables, counted from the graph
  double rack_usd = 0, cluster_usd = 0;  // cluster_usd = racks x rack_usd + cluster-level lines
  bool assumed = false;                  // any line rests on an assumption
};

bool has_economics(const hw::ClusterSpec& c);
Capex capex(const fabric::Fabric& f);

struct PowerDraw {
  double chips_W = 0, hosts_W = 0, switches_W = 0, nics_W = 0;
  double optics_W = 0;  // scale-out optics and cables
  double other_W = 0;   // rack overhead: fans, power conversion, in-rack cooling
  double it_W = 0, facility_W = 0;  // facility = IT x PUE
  double chip_draw = 1;  // chips' average draw as a share of their peak
};
PowerDraw peak_power(const fabric::Fabric& f);
// At the utilisation the step implies: compute terms of the breakdown at peak chip power,
// communication terms at the communication draw, the optimizer (HBM-bound) at the memory-bound
// draw, pipeline bubble and step overhead at idle. Hosts, switches, NICs and optics are taken
// at their stated power whatever the load. `step` must be feasible.
PowerDraw power_at_load(const fabric::Fabric& f, const eval::Report& step);
// The two halves of power_at_load, for callers that price many steps on one cluster without
// recounting its parts: the chips' average share of peak over the step, and a draw with the
// chips at that share and everything else as in `peak`.
double chip_draw(const fabric::Fabric& f, const eval::Report& step);
PowerDraw with_chip_draw(const PowerDraw& peak, double share);

struct RunCost {
  double wall_time_s = 0, energy_J = 0, electricity_usd = 0, amortised_capex_usd = 0, maintenance_usd = 0, tco_usd = 0;
  double rent_usd = 0;
  bool has_rent = false;  // false: the rack economics state no rent price (rent_usd is not a price then)
};
// tco = electricity (facility energy x price) + capital over the amortisation period + yearly
// maintenance, for `wall_time_s` of running at `at_load`; rent = racks x hourly rent x hours.
RunCost run_cost(const fabric::Fabric& f, const Capex& c, const PowerDraw& at_load, double wall_time_s);

}  // namespace rackscope::econ
