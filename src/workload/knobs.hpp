#pragma once
// The execution knobs, one row each: the `Execution` field a row sets, its `step` flag and help,
// its sweep name (an axis or an [execution] key, and the /results column), its valid values and
// units. `step`, the sweep reader and the sweep evaluator all iterate this table, so adding a
// knob is one row here plus its physics.
#include <cstdint>
#include <string>
#include <vector>

#include "workload/execution.hpp"

namespace rackscope::workload {

struct Knob {
  enum class Kind { integer, choice, boolean, order };
  std::string name;  // sweep axis and [execution] key
  Kind kind = Kind::integer;
  int64_t min = 1, max = 1 << 24;    // integers: the values `step` and sweeps accept
  std::vector<std::string> choices;  // choices, in the order of the field's enum
  std::string units;                 // of the values, for the HDF5 `units` attribute
  std::string flag;  // `step` flag; a boolean on by default has a "--no-" flag that turns it off
  std::string help;  // `step` help
  bool step_required = false;
  int Execution::*integer = nullptr;
  bool Execution::*boolean = nullptr;
  void (*set_choice)(Execution&, int index) = nullptr;
  std::string unknown_choice{};  // `step`'s problem text for a value not among the choices
};

const std::vector<Knob>& knobs();
// Index into knobs(), or -1.
int find_knob(const std::string& name);
std::vector<std::string> knob_names();

// "tp,cp,ep,dp,pp" -> its parts; whether they name each degree once.
std::vector<std::string> split_order(const std::string& s);
bool is_rank_order(const std::vector<std::string>& parts);

}  // namespace rackscope::workload
