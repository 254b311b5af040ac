#include "io/cluster_reader.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <numeric>

#include "fabric/clos_shape.hpp"
#include "fabric/size_estimate.hpp"
#include "units/quantity.hpp"
#include "io/chip_reader.hpp"
#include "io/economics_reader.hpp"
#include "io/reliability_reader.hpp"

namespace rackscope::io {
using units::Dimension;

namespace {
constexpr int64_t kMaxChipsPerRack = 1 << 16;
constexpr int64_t kMaxRacks = 1 << 20;
// A folded Clos of radix 4 joins 2^L NICs at L levels; eight levels of radix 64 join 2^41.
constexpr int64_t kMaxClosLevels = 8;

// One value for all torus dimensions, or one per dimension.
std::vector<double> per_dimension(StrictTable& t, const std::string& key, Dimension d, size_t dims) {
  std::vector<double> v = t.quantity_list(key, d);
  if (v.size() == 1) v.assign(dims, v[0]);
  if (v.size() != dims) t.fail(key, fmt::format("{} values for {} torus dimensions", v.size(), dims), "one value, or one per dimension");
  return v;
}

hw::TorusSpec read_torus(StrictTable& t, int chips, bool ring) {
  if (ring) t.expect({"topology", "link_bandwidth", "link_latency"});
  else t.expect({"topology", "dims", "link_bandwidth", "link_latency"});
  hw::TorusSpec torus;
  if (ring) {
    torus.dims = {chips};
  } else {
    for (auto d : t.integer_array("dims", 1, kMaxChipsPerRack)) torus.dims.push_back(static_cast<int>(d));
    if (torus.dims.size() > 16) t.fail("dims", fmt::format("{} dimensions", torus.dims.size()), "at most 16 torus dimensions");
    const int64_t product = std::accumulate(torus.dims.begin(), torus.dims.end(), int64_t{1}, std::multiplies<>());
    if (product != chips)
      t.fail("dims", fmt::format("torus dims multiply to {} but the rack has {} chips", product, chips),
             "dimensions whose product is the chip count");
  }
  torus.link_bandwidth_Bps = per_dimension(t, "link_bandwidth", Dimension::bandwidth, torus.dims.size());
  torus.link_latency_s = per_dimension(t, "link_latency", Dimension::time, torus.dims.size());
  return torus;
}

hw::SwitchSpec read_switch(StrictTable& t, int chips) {
  t.expect({"topology", "planes", "chips_per_leaf", "spines", "link_bandwidth", "link_latency", "uplink_bandwidth", "uplink_latency",
            "in_switch_reduction", "reduction_bandwidth", "reduction_latency", "reduction_chunk", "reduction_channels",
            "reduction_chunk_overhead"});
  hw::SwitchSpec s;
  s.planes = static_cast<int>(t.optional_integer("planes", 1, 64).value_or(1));
  s.link_bandwidth_Bps = t.quantity("link_bandwidth", Dimension::bandwidth);
  s.link_latency_s = t.quantity("link_latency", Dimension::time, true);
  s.chips_per_leaf = static_cast<int>(t.optional_integer("chips_per_leaf", 1, chips).value_or(chips));
  if (chips % s.chips_per_leaf != 0)
    t.fail("chips_per_leaf", fmt::format("{} does not divide the rack's {} chips", s.chips_per_leaf, chips), "a divisor of chips");
  if (s.chips_per_leaf < chips) {
    s.spines = static_cast<int>(t.integer("spines", 1, 1024));
    s.uplink_bandwidth_Bps = t.quantity("uplink_bandwidth", Dimension::bandwidth);
    s.uplink_latency_s = t.quantity("uplink_latency", Dimension::time, true);
  } else {
    s.chips_per_leaf = 0;
  }
  s.in_switch_reduction = t.boolean("in_switch_reduction", false);
  if (s.in_switch_reduction) {
    if (s.chips_per_leaf != 0) t.fail("in_switch_reduction", "needs a single-level switch domain", "false, or no chips_per_leaf");
    s.reduction_bandwidth_Bps = t.quantity("reduction_bandwidth", Dimension::bandwidth);
    s.reduction_latency_s = t.quantity("reduction_latency", Dimension::time, true);
    // The chunking comes as a whole: the chunk, the channels and the overhead per chunk.
    const bool chunked = t.has("reduction_chunk") || t.has("reduction_channels") || t.has("reduction_chunk_overhead");
    if (chunked) {
      for (const char* key : {"reduction_chunk", "reduction_channels", "reduction_chunk_overhead"})
        if (!t.has(key))
          t.fail(key, "missing: the in-switch chunking needs reduction_chunk, reduction_channels and reduction_chunk_overhead together",
                 "all three, or none");
      s.reduction_chunk_B = t.quantity("reduction_chunk", Dimension::bytes);
      s.reduction_channels = static_cast<int>(t.integer("reduction_channels", 1, 1024));
      s.reduction_chunk_overhead_s = t.quantity("reduction_chunk_overhead", Dimension::time, true);
    }
  }
  return s;
}

// "chip:3" or "switch:0" -> (is_switch, index); errors name the link's line.
std::pair<bool, int> parse_endpoint(StrictTable& link, const std::string& key, int chips, int switches) {
  const std::string v = link.string(key);
  const auto colon = v.find(':');
  const std::string kind = v.substr(0, colon);
  const std::string digits = colon == std::string::npos ? "" : v.substr(colon + 1);
  int index = -1;
  if (!digits.empty() && digits.size() < 8 && digits.find_first_not_of("0123456789") == std::string::npos) index = std::stoi(digits);
  const int limit = kind == "chip" ? chips : switches;
  if ((kind != "chip" && kind != "switch") || index < 0 || index >= limit) {
    std::string valid = fmt::format("chip:0..chip:{}", chips - 1);
    if (switches > 0) valid += fmt::format(" or switch:0..switch:{}", switches - 1);
    link.fail(key, "bad endpoint \"" + v + "\"", valid);
  }
  return {kind == "switch", index};
}

hw::ExplicitSpec read_explicit(StrictTable& t, int chips) {
  t.expect({"topology", "switches", "links"});
  hw::ExplicitSpec e;
  e.switches = static_cast<int>(t.optional_integer("switches", 0, 4096).value_or(0));
  // Union-find over chips and switches: a disconnected link list is an input error.
  std::vector<int> parent(chips + e.switches);
  std::iota(parent.begin(), parent.end(), 0);
  std::function<int(int)> find = [&](int x) { return parent[x] == x ? x : parent[x] = find(parent[x]); };
  for (auto& link : t.table_array("links")) {
    link.expect({"a", "b", "bandwidth", "latency"});
    hw::ExplicitLink l;
    const auto a = parse_endpoint(link, "a", chips, e.switches);
    const auto b = parse_endpoint(link, "b", chips, e.switches);
    l.a = link.string("a");
    l.b = link.string("b");
    if (l.a == l.b) link.fail("b", "a link from \"" + l.a + "\" to itself", "two different endpoints");
    l.bandwidth_Bps = link.quantity("bandwidth", Dimension::bandwidth);
    l.latency_s = link.quantity("latency", Dimension::time, true);
    l.line = link.location("a").line;
    link.finish();
    const int ia = a.first ? chips + a.second : a.second;
    const int ib = b.first ? chips + b.second : b.second;
    parent[find(ia)] = find(ib);
    e.links.push_back(l);
  }
  for (int v = 1; v < chips + e.switches; ++v)
    if (find(v) != find(0))
      t.fail("links", fmt::format("the fabric is disconnected: {}:{} cannot reach chip:0", v < chips ? "chip" : "switch",
                                  v < chips ? v : v - chips),
             "links that connect every chip and switch");
  return e;
}

hw::RackSpec read_rack(const InputFile& file, const Overrides& overrides, InputFiles& files) {
  hw::RackSpec rack;
  StrictTable top = open_top(file, {"chip", "chips", "scale_up", "nics", "economics", "hosts"}, rack.name);
  rack.file = file.path;
  rack.chip = read_chip(files.load_reference(top, "chip", "chip", overrides), overrides.scoped({"chip"}), files);
  rack.chips = static_cast<int>(top.integer("chips", 1, kMaxChipsPerRack));
  rack.hosts = static_cast<int>(top.optional_integer("hosts", 1, rack.chips).value_or(0));

  StrictTable up = top.table("scale_up");
  const std::string topology = up.choice("topology", {"torus", "ring", "switch", "explicit"});
  if (topology == "torus" || topology == "ring") rack.scale_up = read_torus(up, rack.chips, topology == "ring");
  else if (topology == "switch") rack.scale_up = read_switch(up, rack.chips);
  else rack.scale_up = read_explicit(up, rack.chips);
  up.finish();

  if (auto nics = top.optional_table("nics")) {
    nics->expect({"count", "bandwidth", "host_latency", "striping", "host_bandwidth"});
    rack.nics.count = static_cast<int>(nics->integer("count", 1, kMaxChipsPerRack));
    rack.nics.bandwidth_Bps = nics->quantity("bandwidth", Dimension::bandwidth);
    rack.nics.host_latency_s = nics->quantity("host_latency", Dimension::time, true);
    rack.nics.striped = nics->optional_choice("striping", {"own", "rack"}).value_or("own") == "rack";
    if (rack.nics.striped) rack.nics.host_bandwidth_Bps = nics->quantity("host_bandwidth", Dimension::bandwidth);
    if (rack.nics.count % rack.chips != 0 && rack.chips % rack.nics.count != 0)
      nics->fail("count", fmt::format("{} NICs cannot be shared evenly by {} chips", rack.nics.count, rack.chips),
                 "a divisor or a multiple of the chip count");
    nics->finish();
  }
  if (top.has("economics")) rack.economics = read_rack_economics(files.load_reference(top, "economics", "rack_economics", overrides), rack);
  top.finish();
  return rack;
}

// Refuses, before any fabric is built, a cluster whose fabric would not fit in memory.
void check_fabric_size(const hw::ClusterSpec& cluster, StrictTable& top) {
  const fabric::SizeEstimate e = fabric::estimate_size(cluster);
  const double limit = fabric_memory_limit();
  if (e.bytes <= limit) return;
  top.fail("racks",
           fmt::format("{} racks make a fabric of {:.0f} chips, {:.3g} links and {:.3g} vertices: about {} of memory to build, over the "
                       "limit of {}",
                       cluster.racks, e.chips, e.links, e.vertices, units::format_bytes(e.bytes), units::format_bytes(limit)),
           "fewer racks, or RACKSCOPE_MEMORY_LIMIT=\"<size>\" where the machine has that memory per rank");
}
// SHARP-like switches: all-reduce's cross-rack sum in the network ([scale_out]
// in_network_reduction, with the reduction's latency and optional bandwidth per port).
void read_in_network_reduction(StrictTable& so, hw::ScaleOutSpec& out) {
  out.in_network_reduction = so.boolean("in_network_reduction", false);
  if (!out.in_network_reduction) {
    for (const char* key : {"reduction_bandwidth", "reduction_latency"})
      if (so.has(key)) so.fail(key, "only with in_network_reduction = true", "in_network_reduction = true, or no " + std::string(key));
    return;
  }
  out.reduction_bandwidth_Bps = so.optional_quantity("reduction_bandwidth", Dimension::bandwidth).value_or(0.0);
  out.reduction_latency_s = so.quantity("reduction_latency", Dimension::time, true);
}

}  // namespace

hw::ClusterSpec read_cluster(const std::string& path, const Overrides& overrides, InputFiles& files) {
  const InputFile& file = files.load(path, "cluster", overrides);
  hw::ClusterSpec cluster;
  StrictTable top = open_top(file, {"rack", "racks", "scale_out", "economics", "reliability"}, cluster.name);
  cluster.file = file.path;
  cluster.rack = read_rack(files.load_reference(top, "rack", "rack", overrides), overrides.scoped({"rack"}), files);
  cluster.racks = static_cast<int>(top.integer("racks", 1, kMaxRacks));

  if (auto so = top.optional_table("scale_out")) {
    so->expect({"topology", "radix", "oversubscription", "link_bandwidth", "hop_latency", "max_levels", "in_network_reduction",
                "reduction_bandwidth", "reduction_latency"});
    const std::string kind = so->choice("topology", {"clos", "rail", "none"});
    if (kind != "none") {
      cluster.scale_out.kind = kind == "clos" ? hw::ScaleOutSpec::Kind::clos : hw::ScaleOutSpec::Kind::rail;
      cluster.scale_out.radix = static_cast<int>(so->integer("radix", 4, 4096));
      cluster.scale_out.oversubscription = so->optional_positive_number("oversubscription").value_or(1.0);
      cluster.scale_out.link_bandwidth_Bps = so->quantity("link_bandwidth", Dimension::bandwidth);
      cluster.scale_out.hop_latency_s = so->quantity("hop_latency", Dimension::time, true);
      cluster.scale_out.max_levels = static_cast<int>(so->optional_integer("max_levels", 1, kMaxClosLevels).value_or(3));
      read_in_network_reduction(*so, cluster.scale_out);
    }
    so->finish();
  }
  if (cluster.racks > 1 && cluster.scale_out.kind == hw::ScaleOutSpec::Kind::none)
    top.fail("racks", fmt::format("{} racks but no scale_out fabric joins them: the fabric is disconnected", cluster.racks),
             "racks = 1, or a [scale_out] table with topology = \"clos\" or \"rail\"");
  if (cluster.racks > 1 && cluster.rack.nics.count == 0)
    top.fail("racks", fmt::format("{} racks but rack '{}' has no [nics] to reach the scale-out fabric", cluster.racks, cluster.rack.name),
             "racks = 1, or a [nics] table in the rack file");
  if (cluster.scale_out.kind != hw::ScaleOutSpec::Kind::none && cluster.rack.nics.count > 0) {
    const auto shape = fabric::clos_shape(cluster);
    if (!shape.problem.empty()) top.fail("racks", shape.problem, "fewer racks, a larger scale_out.radix or more scale_out.max_levels");
  }
  check_fabric_size(cluster, top);
  if (top.has("economics")) cluster.economics = read_cluster_economics(files.load_reference(top, "economics", "cluster_economics", overrides));
  if (top.has("reliability")) {
    // Host failures are charged per host: the rack must say how many it has.
    if (cluster.rack.hosts == 0)
      top.fail("reliability", fmt::format("rack '{}' does not state its hosts, which host failure rates need", cluster.rack.name),
               "a `hosts` count in the rack file");
    cluster.reliability = read_reliability(files.load_reference(top, "reliability", "reliability", overrides));
  }
  top.finish();
  overrides.check_all_used();
  return cluster;
}

// The memory a fabric may take, from RACKSCOPE_MEMORY_LIMIT ("16 GiB"), else 80% of this
// machine's memory, shared by the MPI ranks on it (Open MPI's OMPI_COMM_WORLD_LOCAL_SIZE) when
// `per_local_rank`.
namespace {
double memory_limit(bool per_local_rank) {
  const char* text = std::getenv("RACKSCOPE_MEMORY_LIMIT");
  if (!text || !*text) {
    const double physical = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGESIZE));
    const char* local = per_local_rank ? std::getenv("OMPI_COMM_WORLD_LOCAL_SIZE") : nullptr;
    const double ranks = local ? std::max(1.0, std::atof(local)) : 1.0;
    return 0.8 * physical / ranks;
  }
  std::string why;
  const auto v = units::parse(text, Dimension::bytes, &why);
  if (!v || !(*v > 0))
    throw InputError({"RACKSCOPE_MEMORY_LIMIT", 0}, "", fmt::format("\"{}\" is not a memory size{}", text, why.empty() ? "" : ": " + why),
                     "a size such as \"16 GiB\"");
  return *v;
}
}  // namespace

double fabric_memory_limit() { return memory_limit(true); }
double search_memory_limit() { return memory_limit(false); }

}  // namespace rackscope::io
