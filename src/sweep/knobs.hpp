#pragma once
// The execution knobs a sweep may vary or fix (an axis or an [execution] key), by name.
#include <optional>
#include <string>
#include <vector>

#include "sweep/spec.hpp"
#include "workload/knobs.hpp"

namespace rackscope::sweep {

// The table lives in workload/knobs.hpp; the sweep checks and applies its values.
using workload::Knob;
using workload::find_knob;
using workload::knob_names;
using workload::knobs;

// Why `v` is not a valid value of knob `k` (problem, valid values), or nullopt when it is.
std::optional<std::pair<std::string, std::string>> check_knob(const Knob& k, const Value& v);
// Sets knob `k` (an index into knobs()) of `e` to `v`, already checked.
void apply_knob(workload::Execution& e, int k, const Value& v);

}  // namespace rackscope::sweep
