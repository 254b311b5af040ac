#pragma once
// Seconds per named term as one JSON object keyed by the names: the step's breakdown
// (eval::term_names) and its compute by kernel class (eval::kernel_class_names), as `step --json`
// and `size --json` print them.
#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>

namespace rackscope::cli {

template <std::size_t N>
nlohmann::json terms_json(const std::array<const char*, N>& names, const std::array<double, N>& seconds) {
  nlohmann::json j = nlohmann::json::object();
  for (std::size_t i = 0; i < N; ++i) j[names[i]] = seconds[i];
  return j;
}

}  // namespace rackscope::cli
