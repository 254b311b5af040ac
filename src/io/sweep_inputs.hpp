#pragma once
// The inputs a sweep's configurations name, read up front and then again on every rank from
// their texts: rank 0 checks every file before a result is written, and broadcasts the texts so
// the other ranks never touch the (shared) file system.
#include <map>
#include <memory>
#include <string>

#include "sweep/evaluator.hpp"
#include "sweep/spec.hpp"

namespace rackscope::io {

// Input texts by path as resolved.
using Texts = std::map<std::string, std::string>;

// Reads every input every configuration can name (each cluster, profile and model), checking
// them, and returns their texts by path. Throws InputError.
Texts load_inputs(const sweep::Spec& spec);

// The evaluator's inputs for `spec`, read from `texts` (from load_inputs; files not in it are
// read from disk). Its cluster reader throws InputError naming the axis whose value a cluster
// rejects.
sweep::Inputs sweep_inputs(const sweep::Spec& spec, std::shared_ptr<const Texts> texts);

}  // namespace rackscope::io
