#pragma once
// A sweep: a design space as a mixed-radix enumeration. Each axis varies one input key over a
// list of values; configuration `index` takes, on axis k, value (index / stride_k) % radix_k.
// The first axes vary slowest. Plain data: read by io/sweep_reader, enumerated by space.hpp.
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "workload/execution.hpp"

namespace rackscope::sweep {

// An axis value as written: integer, number, string (files, choices) or boolean.
using Value = std::variant<int64_t, double, std::string, bool>;

enum class Target {
  workload,  // which [[workloads]] entry (always the first axis)
  knob,      // an execution knob (tp, micro_batch, recompute...)
  cluster,   // the cluster file
  profile,   // the compute profile file
  set,       // an override inside the cluster: racks, chip, rack, set.<path>
};

struct Axis {
  std::string name;  // column and /space dataset name: the key as written ("tp", "set.scale_out.radix")
  Target target = Target::knob;
  std::vector<Value> values;
  std::string override_path;  // Target::set: the `--set` path inside the cluster ("racks", "rack.chip")
  std::string units;          // of the values, for the HDF5 `units` attribute
  long line = 0;              // where the axis is declared in the spec
  // Whether the values change the cluster (so a rank rebuilds its fabric when they change).
  bool shapes_cluster() const { return target == Target::cluster || target == Target::set; }
};

struct Workload {
  std::string name;   // the model's name
  std::string model;  // model file, resolved against the spec
  double train_tokens = std::numeric_limits<double>::quiet_NaN();  // tokens of a training run (NaN: none given)
  long line = 0;
};

struct Constraints {
  double max_memory_fraction = 1;  // of a chip's HBM a configuration may use
  std::optional<int64_t> max_racks, max_chips;
  std::optional<double> max_cost_usd, max_power_W;
};

struct Objective {
  std::string column;
  bool maximize = false;
};

struct Spec {
  std::string name, file;
  std::string cluster, profile;  // base input files, resolved against the spec
  long cluster_line = 0, profile_line = 0;
  std::vector<Workload> workloads;
  workload::Execution execution;  // base values of every knob an axis does not vary
  bool dp_given = false;          // else dp = ranks / (tp * cp * pp) per configuration
  std::vector<Axis> axes;         // enumeration order: workload, cluster-shaping axes, the rest
  Constraints constraints;
  std::vector<Objective> objectives;
  // Work distribution: a checkpoint (a collective write and progress record) at most every
  // `checkpoint_every` configurations and about every `checkpoint_seconds`, whichever comes
  // first, so a slow sweep smaller than `checkpoint_every` still resumes; and the smallest chunk
  // a rank takes at a time.
  int64_t checkpoint_every = 262144;
  int64_t checkpoint_seconds = 60;
  int64_t min_chunk = 16;
};

// The index of the first axis with target `t`, or -1.
inline int axis_of(const Spec& spec, Target t) {
  for (size_t k = 0; k < spec.axes.size(); ++k)
    if (spec.axes[k].target == t) return static_cast<int>(k);
  return -1;
}

}  // namespace rackscope::sweep
