#include "io/chip_reader.hpp"
#include "io/model_reader.hpp"

#include <algorithm>

#include "collective/algorithms.hpp"
#include "io/packaged_chip_reader.hpp"
#include "io/precision_rates.hpp"

namespace rackscope::io {
using units::Dimension;

namespace {
const std::vector<std::string> kOps = {"allreduce", "reducescatter", "allgather", "alltoall", "broadcast", "sendrecv"};

hw::Protocol read_protocol(StrictTable t, const std::vector<std::string>& algorithms) {
  t.expect({"name", "bandwidth_efficiency", "step_latency", "pipeline_bubble_steps", "network_bandwidth_efficiency",
            "network_step_latency", "unsupported_algorithms"});
  hw::Protocol p;
  p.name = t.string("name");
  p.bandwidth_efficiency = t.fraction("bandwidth_efficiency");
  p.step_latency_s = t.quantity("step_latency", Dimension::time, true);
  if (t.has("pipeline_bubble_steps")) p.pipeline_bubble_steps = t.positive_number("pipeline_bubble_steps");
  else t.optional_positive_number("pipeline_bubble_steps");
  if (auto e = t.optional_fraction("network_bandwidth_efficiency")) p.network_bandwidth_efficiency = *e;
  if (auto l = t.optional_quantity("network_step_latency", Dimension::time, true)) p.network_step_latency_s = *l;
  if (t.has("unsupported_algorithms")) p.unsupported_algorithms = t.string_list("unsupported_algorithms", algorithms);
  else t.optional_string("unsupported_algorithms");
  t.finish();
  return p;
}

hw::SelectionRow read_selection(StrictTable t, const std::vector<hw::Protocol>& protocols, const std::vector<std::string>& algorithms) {
  t.expect({"scope", "max_size", "ops", "algorithm", "algorithms", "protocol", "protocols"});
  hw::SelectionRow row;
  const std::string scope = t.optional_choice("scope", {"any", "rack", "cluster"}).value_or("any");
  row.scope = scope == "rack" ? hw::SelectionRow::Scope::rack : scope == "cluster" ? hw::SelectionRow::Scope::cluster : hw::SelectionRow::Scope::any;
  row.max_bytes = t.optional_quantity("max_size", Dimension::bytes).value_or(0.0);
  if (t.has("ops")) row.ops = t.string_list("ops", kOps);
  else t.optional_string("ops");
  std::vector<std::string> names;
  for (const auto& p : protocols) names.push_back(p.name);
  // One algorithm (protocol), or a list among which the fastest by the model is taken.
  auto one_or_list = [&](const std::string& one, const std::string& list, const std::vector<std::string>& valid) {
    if (t.has(one) == t.has(list)) t.fail(one, "give either " + one + " or " + list, one + " = \"...\" or " + list + " = [...]");
    return t.has(one) ? std::vector<std::string>{t.choice(one, valid)} : t.string_list(list, valid);
  };
  row.algorithms = one_or_list("algorithm", "algorithms", algorithms);
  row.protocols = one_or_list("protocol", "protocols", names);
  t.finish();
  return row;
}

hw::CollectiveRuntime read_runtime(const InputFile& file) {
  hw::CollectiveRuntime rt;
  StrictTable top = open_top(file, {"launch_overhead", "algorithms", "protocols", "select", "overlap", "network"}, rt.name);
  rt.file = file.path;
  rt.launch_overhead_s = top.quantity("launch_overhead", Dimension::time, true);
  rt.algorithms = top.string_list("algorithms", collective::algorithm_names());
  for (auto& p : top.table_array("protocols")) {
    rt.protocols.push_back(read_protocol(p, rt.algorithms));
    for (size_t j = 0; j + 1 < rt.protocols.size(); ++j)
      if (rt.protocols[j].name == rt.protocols.back().name)
        p.fail("name", "protocol \"" + rt.protocols.back().name + "\" named twice", "distinct names");
  }
  if (top.has("select"))
    for (auto& row : top.table_array("select")) rt.selection.push_back(read_selection(std::move(row), rt.protocols, rt.algorithms));
  if (auto net = top.optional_table("network")) {
    net->expect({"latency", "steps_in_flight"});
    rt.network_latency_s = net->quantity("latency", Dimension::time);
    rt.network_steps_in_flight = static_cast<int>(net->optional_integer("steps_in_flight", 1, 1024).value_or(1));
    net->finish();
  }
  StrictTable overlap = top.table("overlap");
  overlap.expect({"compute_share", "network_p2p_share"});
  rt.overlap_compute_share = overlap.share("compute_share");
  rt.overlap_network_p2p_share = overlap.has("network_p2p_share") ? overlap.share("network_p2p_share") : rt.overlap_compute_share;
  overlap.finish();
  top.finish();
  return rt;
}
}  // namespace

namespace {
// Totals stated directly: [compute], [memory], [cores].
void read_stated_chip(StrictTable& top, hw::Chip& chip) {
  StrictTable compute = top.table("compute");
  std::vector<std::string> keys = precision_keys();
  keys.insert(keys.begin(), "ranks_per_chip");
  compute.expect(keys);
  chip.ranks_per_chip = static_cast<int>(compute.integer("ranks_per_chip", 1, 1024));
  chip.flops = read_precision_rates(compute);
  compute.finish();

  StrictTable memory = top.table("memory");
  memory.expect({"hbm_capacity", "hbm_bandwidth"});
  chip.hbm_capacity_B = memory.quantity("hbm_capacity", Dimension::bytes);
  chip.hbm_bandwidth_Bps = memory.quantity("hbm_bandwidth", Dimension::bandwidth);
  memory.finish();

  StrictTable cores = top.table("cores");
  cores.expect({"link_bandwidth", "link_latency"});
  chip.core_bandwidth_Bps = cores.quantity("link_bandwidth", Dimension::bandwidth);
  chip.core_latency_s = cores.quantity("link_latency", Dimension::time, true);
  cores.finish();
}
}  // namespace

hw::Chip read_chip(const InputFile& file, const Overrides& overrides, InputFiles& files) {
  hw::Chip chip;
  // A chip names its packaging when it is built from dies; otherwise it states its totals.
  const bool packaged = top_table(file).has("packaging");
  StrictTable top = packaged ? open_top(file, {"collectives", "compute_profile", "packaging", "year", "bump_pitch", "dies", "hbm",
                                               "die_links", "cores", "power", "supply"},
                                        chip.name)
                             : open_top(file, {"collectives", "compute_profile", "compute", "memory", "cores"}, chip.name);
  chip.file = file.path;
  if (packaged) read_packaged_chip(top, overrides, files, chip);
  else read_stated_chip(top, chip);
  chip.collectives = read_runtime(files.load_reference(top, "collectives", "collective_runtime", overrides));
  if (top.has("compute_profile"))
    chip.compute = read_compute_profile(files.load_reference(top, "compute_profile", "compute_profile", overrides));
  top.finish();
  return chip;
}

InputError package_error(const hw::Chip& chip, const hw::PackageProblem& p) {
  return InputError({chip.file, p.line}, p.key, p.problem, p.valid);
}

}  // namespace rackscope::io
