#include "io/chip_reader.hpp"

#include <limits>

namespace rackscope::io {
using units::Dimension;

namespace {
hw::Protocol read_protocol(StrictTable t) {
  hw::Protocol p;
  p.name = t.string("name");
  p.bandwidth_efficiency = t.fraction("bandwidth_efficiency");
  p.step_latency_s = t.quantity("step_latency", Dimension::time, true);
  p.max_bytes = t.optional_quantity("max_size", Dimension::bytes).value_or(0.0);
  t.finish();
  return p;
}
}  // namespace

hw::Chip read_chip(const InputFile& file) {
  StrictTable top = top_table(file);
  hw::Chip chip;
  chip.file = file.path;
  top.string("kind");
  chip.name = top.string("name");
  top.optional_string("description");

  StrictTable compute = top.table("compute");
  chip.ranks_per_chip = static_cast<int>(compute.integer("ranks_per_chip", 1, 1024));
  chip.bf16_flops = compute.quantity("bf16", Dimension::flops_rate);
  chip.fp8_flops = compute.optional_quantity("fp8", Dimension::flops_rate).value_or(0.0);
  chip.fp32_flops = compute.optional_quantity("fp32", Dimension::flops_rate).value_or(0.0);
  compute.finish();

  StrictTable memory = top.table("memory");
  chip.hbm_capacity_B = memory.quantity("hbm_capacity", Dimension::bytes);
  chip.hbm_bandwidth_Bps = memory.quantity("hbm_bandwidth", Dimension::bandwidth);
  memory.finish();

  StrictTable on_chip = top.table("on_chip");
  chip.local_bandwidth_Bps = on_chip.quantity("bandwidth", Dimension::bandwidth);
  chip.local_latency_s = on_chip.quantity("latency", Dimension::time, true);
  on_chip.finish();

  StrictTable coll = top.table("collectives");
  chip.collectives.launch_overhead_s = coll.quantity("launch_overhead", Dimension::time, true);
  chip.collectives.in_switch_efficiency = coll.optional_fraction("in_switch_efficiency").value_or(1.0);
  for (auto& p : coll.table_array("protocols")) chip.collectives.protocols.push_back(read_protocol(std::move(p)));
  coll.finish();

  top.finish();
  return chip;
}

}  // namespace rackscope::io
