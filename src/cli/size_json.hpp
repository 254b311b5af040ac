#pragma once
// Sizing options as JSON: what `size --json` prints, and how ranks send options to rank 0 (every
// option, rank 0's own included, takes the same round trip, so the answer is identical at any
// rank count).
#include <nlohmann/json.hpp>

#include "size/request.hpp"

namespace rackscope::cli {

nlohmann::json parallelism_json(const workload::Execution& e);
nlohmann::json option_json(const size::Option& o);
size::Option option_from_json(const nlohmann::json& j);

}  // namespace rackscope::cli
