#pragma once
// What a rack and a cluster cost and draw, as stated in topologies/economics/: prices (USD),
// powers (W), fractions and periods, each with where it comes from. Counts of switches, NICs and
// links are not here: econ/ takes them from the fabric graph. Plain structs, no logic.
#include <optional>
#include <string>

namespace rackscope::hw {

// One number of an economics file with its provenance: the `source` or `assumption` text, and
// whether it rests on an assumption only (no source). A `--set` value names its `--set`.
struct Stated {
  double value = 0;
  std::string provenance;
  bool assumed = false;
};

// Per rack configuration (topologies/economics/racks/, kind "rack_economics").
struct RackEconomics {
  std::string name, file;
  // Chip price: the package sheet's unit cost x markup (die-built chips), or a stated price.
  std::optional<Stated> chip_markup, chip_price_usd;
  // Chip power at peak compute: stated, or (when absent) the package sheet's power_W.
  std::optional<Stated> chip_power_W;
  // Share of peak a chip draws while idle (pipeline bubble, step overhead), while it
  // communicates (DMA, links, HBM; compute engines waiting), and in memory-bound work (optimizer).
  Stated idle_fraction, communication_fraction, memory_bound_fraction;
  Stated hosts;  // host servers (CPUs, memory, boards) per rack; a count
  Stated host_price_usd, host_power_W;
  // Scale-up switches (count from the graph); absent when the rack's scale-up has none.
  std::optional<Stated> scale_up_switch_price_usd, scale_up_switch_power_W;
  Stated scale_up_link_price_usd;  // cables, connectors or optics per scale-up link (count from the graph)
  Stated nic_price_usd, nic_power_W;  // per NIC (count from the graph)
  Stated rack_infrastructure_usd;     // rack frame, power shelves, cooling, per rack
  Stated rack_overhead_power_W;       // fans, power conversion and cooling draw inside the rack
  std::optional<Stated> rent_usd_per_hour;  // a cloud price for one rack, where one is published
};

// Per cluster or facility (topologies/economics/clusters/, kind "cluster_economics").
struct ClusterEconomics {
  std::string name, file;
  Stated switch_price_usd, switch_power_W;        // one scale-out switch (every tier)
  Stated nic_link_price_usd, nic_link_power_W;    // optics and cable, NIC <-> leaf
  Stated switch_link_price_usd, switch_link_power_W;  // optics and cable, switch <-> switch
  Stated pue;                      // facility power / IT power
  Stated electricity_usd_per_kWh;
  Stated amortisation_years;       // capital spread evenly over this period
  Stated maintenance_per_year;     // yearly maintenance as a fraction of capital
};

}  // namespace rackscope::hw
