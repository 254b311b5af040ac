#include "sweep/layout.hpp"

#include <cstring>

namespace rackscope::sweep {
namespace {
template <class T>
void put(uint8_t* at, T v) {
  std::memcpy(at, &v, sizeof v);
}
template <class T>
T get(const uint8_t* at) {
  T v;
  std::memcpy(&v, at, sizeof v);
  return v;
}

Type axis_type(const Axis& a) {
  const Value& v = a.values.front();
  if (std::holds_alternative<std::string>(v)) return Type::u32;
  if (std::holds_alternative<int64_t>(v)) return Type::i64;
  if (std::holds_alternative<bool>(v)) return Type::u8;
  return Type::f64;
}
}  // namespace

size_t type_size(Type t) {
  switch (t) {
    case Type::u8:
    case Type::reason: return 1;
    case Type::u32: return 4;
    default: return 8;
  }
}

void Layout::add(std::string name, Type t, std::string units, std::string description) {
  columns_.push_back({std::move(name), std::move(units), std::move(description), t, row_size_});
  row_size_ += type_size(t);
}

Layout::Layout(const Spec& spec) : spec_(&spec) {
  add("index", Type::u64, "1", "configuration index in the mixed-radix enumeration of /space");
  first_axis_ = columns_.size();
  for (const Axis& a : spec.axes) {
    const Type t = axis_type(a);
    add(a.name, t, t == Type::u32 ? "index into /space/" + a.name : a.units, "axis value");
  }
  derived_dp_ = true;  // the dp each row ran with, unless dp is an axis (then it is that column)
  for (const Axis& a : spec.axes)
    if (a.name == "dp") derived_dp_ = false;
  if (derived_dp_) add("dp", Type::i64, "replicas", "data-parallel degree: as fixed, or ranks / (tp * cp * pp); 0 when that does not divide");
  add("chips", Type::i64, "chips", "chips of the cluster");
  add("ranks", Type::i64, "ranks", "ranks of the cluster (cores that each run one rank)");
  add("feasible", Type::u8, "1", "1 when the configuration runs and meets every constraint");
  add("reason", Type::reason, "code", "0 feasible, else why not; names in /infeasible and in the enum type");
  add("micro_batches", Type::i64, "micro-batches", "per step per pipeline");
  add("step_time_s", Type::f64, "s", "one training step");
  add("tokens_per_s", Type::f64, "tokens/s", "training throughput of the whole cluster");
  add("mfu", Type::f64, "1", "model FLOP/s over the ranks' dense peak");
  add("hfu", Type::f64, "1", "hardware FLOP/s (with recompute) over the dense peak");
  add("memory_per_chip_B", Type::f64, "B", "HBM needed per chip (set for out-of-memory rows too)");
  add("time_to_train_s", Type::f64, "s", "the workload's train_tokens / tokens_per_s");
  add("cost_usd", Type::f64, "USD", "chips x the chip package's unit cost (NaN: the chip file states no package)");
  add("power_W", Type::f64, "W", "chips x the chip package's power at peak (NaN: no package)");
  add("energy_J", Type::f64, "J", "power_W x time_to_train_s");
  add("rack_capex_usd", Type::f64, "USD", "one rack's bill of materials (NaN: the cluster names no economics)");
  add("cluster_capex_usd", Type::f64, "USD", "racks x rack_capex_usd + the scale-out switches, optics and cables counted on the fabric");
  add("load_power_W", Type::f64, "W", "facility power (PUE included) at the chips' draw the step implies");
  add("goodput", Type::f64, "1", "useful share of wall time once failures, checkpoints and restarts count (NaN: no reliability data)");
  add("wall_time_s", Type::f64, "s", "time_to_train_s / goodput: time-to-train with failures, checkpoints and restarts");
  add("facility_energy_J", Type::f64, "J", "load_power_W x wall_time_s");
  add("tco_usd", Type::f64, "USD", "capital share over wall_time_s + electricity + maintenance");
  for (const std::string term : eval::term_names) add(term + "_s", Type::f64, "s", "step time spent in " + term);
}

const Column* Layout::find(const std::string& name) const {
  for (const auto& c : columns_)
    if (c.name == name) return &c;
  return nullptr;
}

double Layout::number(const uint8_t* row, const Column& c) const {
  const uint8_t* at = row + c.offset;
  switch (c.type) {
    case Type::u8:
    case Type::reason: return get<uint8_t>(at);
    case Type::u32: return get<uint32_t>(at);
    case Type::i64: return static_cast<double>(get<int64_t>(at));
    case Type::u64: return static_cast<double>(get<uint64_t>(at));
    case Type::f64: return get<double>(at);
  }
  return 0;
}

void Layout::pack(const Result& r, const Space& space, uint8_t* out) const {
  size_t c = 0;
  put<uint64_t>(out + columns_[c++].offset, static_cast<uint64_t>(r.index));
  for (size_t k = 0; k < spec_->axes.size(); ++k) {
    const Column& col = columns_[c++];
    const int64_t d = space.digit(r.index, k);
    const Value& v = spec_->axes[k].values[d];
    switch (col.type) {
      case Type::u32: put<uint32_t>(out + col.offset, static_cast<uint32_t>(d)); break;
      case Type::i64: put<int64_t>(out + col.offset, std::get<int64_t>(v)); break;
      case Type::u8: put<uint8_t>(out + col.offset, std::get<bool>(v) ? 1 : 0); break;
      default: put<double>(out + col.offset, std::get<double>(v)); break;
    }
  }
  if (derived_dp_) put<int64_t>(out + columns_[c++].offset, r.dp);
  put<int64_t>(out + columns_[c++].offset, r.chips);
  put<int64_t>(out + columns_[c++].offset, r.ranks);
  put<uint8_t>(out + columns_[c++].offset, r.reason == 0 ? 1 : 0);
  put<uint8_t>(out + columns_[c++].offset, static_cast<uint8_t>(r.reason));
  put<int64_t>(out + columns_[c++].offset, r.micro_batches);
  for (double v : {r.step_time_s, r.tokens_per_s, r.mfu, r.hfu, r.memory_per_chip_B, r.time_to_train_s, r.cost_usd, r.power_W, r.energy_J,
                   r.rack_capex_usd, r.cluster_capex_usd, r.load_power_W, r.goodput, r.wall_time_s, r.facility_energy_J, r.tco_usd})
    put<double>(out + columns_[c++].offset, v);
  for (double v : r.breakdown_s) put<double>(out + columns_[c++].offset, v);
}

}  // namespace rackscope::sweep
