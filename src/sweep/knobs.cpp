#include "sweep/knobs.hpp"

#include <algorithm>

namespace rackscope::sweep {
std::optional<std::pair<std::string, std::string>> check_knob(const Knob& k, const Value& v) {
  using K = Knob::Kind;
  switch (k.kind) {
    case K::integer: {
      const std::string valid = "an integer from " + std::to_string(k.min) + " to " + std::to_string(k.max);
      if (!std::holds_alternative<int64_t>(v)) return std::pair{"expected an integer", valid};
      const int64_t i = std::get<int64_t>(v);
      if (i < k.min || i > k.max) return std::pair{std::to_string(i) + " is out of range", valid};
      return std::nullopt;
    }
    case K::choice: {
      std::string valid;
      for (const auto& c : k.choices) valid += (valid.empty() ? "" : ", ") + c;
      if (!std::holds_alternative<std::string>(v)) return std::pair{"expected a string", valid};
      if (std::find(k.choices.begin(), k.choices.end(), std::get<std::string>(v)) == k.choices.end())
        return std::pair{"unknown value \"" + std::get<std::string>(v) + "\"", valid};
      return std::nullopt;
    }
    case K::boolean:
      if (!std::holds_alternative<bool>(v)) return std::pair{"expected a boolean", "true, false"};
      return std::nullopt;
    case K::order: {
      const std::string valid = "tp, cp, ep, dp and pp once each, innermost first, e.g. \"tp,cp,ep,dp,pp\"";
      if (!std::holds_alternative<std::string>(v)) return std::pair{"expected a string", valid};
      if (!workload::is_rank_order(workload::split_order(std::get<std::string>(v))))
        return std::pair{"\"" + std::get<std::string>(v) + "\" is not a rank grid order", valid};
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void apply_knob(workload::Execution& e, int k, const Value& v) {
  const Knob& knob = knobs()[k];
  switch (knob.kind) {
    case Knob::Kind::integer: e.*knob.integer = static_cast<int>(std::get<int64_t>(v)); break;
    case Knob::Kind::boolean: e.*knob.boolean = std::get<bool>(v); break;
    case Knob::Kind::choice: {
      const auto& c = knob.choices;
      knob.set_choice(e, static_cast<int>(std::find(c.begin(), c.end(), std::get<std::string>(v)) - c.begin()));
      break;
    }
    case Knob::Kind::order: e.order = workload::split_order(std::get<std::string>(v)); break;
  }
}

}  // namespace rackscope::sweep
