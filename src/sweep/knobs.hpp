#pragma once
// The execution knobs a sweep may vary or fix: the flags of `rackscope step`, by name.
#include <optional>
#include <string>
#include <vector>

#include "sweep/spec.hpp"

namespace rackscope::sweep {

struct Knob {
  std::string name;
  enum class Kind { integer, choice, boolean, order } kind = Kind::integer;
  int64_t min = 1, max = 1 << 24;    // integers
  std::vector<std::string> choices;  // choices
  std::string units;                 // of the values, for the HDF5 `units` attribute
};

const std::vector<Knob>& knobs();
// Index into knobs(), or -1.
int find_knob(const std::string& name);
std::vector<std::string> knob_names();

// Why `v` is not a valid value of knob `k` (problem, valid values), or nullopt when it is.
std::optional<std::pair<std::string, std::string>> check_knob(const Knob& k, const Value& v);
// Sets knob `k` (an index into knobs()) of `e` to `v`, already checked.
void apply_knob(workload::Execution& e, int k, const Value& v);

}  // namespace rackscope::sweep
