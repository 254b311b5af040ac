#include "sweep/knobs.hpp"

#include <algorithm>

namespace rackscope::sweep {
namespace {
enum Id { tp, pp, dp, cp, ep, vpp, zero, micro_batch, global_batch, seq, recompute, precision, sequence_parallel, overlap_dp, overlap_tp,
          overlap_param_gather, overlap_tp_backward, order };

std::vector<std::string> split_order(const std::string& s) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : s + ",") {
    if (c != ',') {
      cur += c;
      continue;
    }
    parts.push_back(cur);
    cur.clear();
  }
  return parts;
}
}  // namespace

const std::vector<Knob>& knobs() {
  using K = Knob::Kind;
  // Same order as Id.
  static const std::vector<Knob> all = {
      {"tp", K::integer, 1, 1 << 20, {}, "ranks"},
      {"pp", K::integer, 1, 1 << 20, {}, "stages"},
      {"dp", K::integer, 1, 1 << 24, {}, "replicas"},
      {"cp", K::integer, 1, 1 << 20, {}, "ranks"},
      {"ep", K::integer, 1, 1 << 20, {}, "ranks"},
      {"vpp", K::integer, 1, 1 << 10, {}, "chunks per stage"},
      {"zero", K::integer, 0, 3, {}, "ZeRO stage"},
      {"micro_batch", K::integer, 1, 1 << 24, {}, "sequences"},
      {"global_batch", K::integer, 1, 1 << 30, {}, "sequences"},
      {"seq", K::integer, 1, 1 << 24, {}, "tokens"},
      {"recompute", K::choice, 0, 0, {"none", "selective", "full"}, "index into /space/recompute"},
      {"precision", K::choice, 0, 0, hw::selectable_precision_names(), "index into /space/precision"},
      {"sequence_parallel", K::boolean, 0, 1, {}, "1 = on"},
      {"overlap_dp", K::boolean, 0, 1, {}, "1 = on"},
      {"overlap_tp", K::boolean, 0, 1, {}, "1 = on"},
      {"overlap_param_gather", K::boolean, 0, 1, {}, "1 = on"},
      {"overlap_tp_backward", K::boolean, 0, 1, {}, "1 = on"},
      {"order", K::order, 0, 0, {}, "index into /space/order"},
  };
  return all;
}

int find_knob(const std::string& name) {
  const auto& all = knobs();
  for (size_t i = 0; i < all.size(); ++i)
    if (all[i].name == name) return static_cast<int>(i);
  return -1;
}

std::vector<std::string> knob_names() {
  std::vector<std::string> names;
  for (const auto& k : knobs()) names.push_back(k.name);
  return names;
}

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
      auto parts = split_order(std::get<std::string>(v));
      std::sort(parts.begin(), parts.end());
      if (parts != std::vector<std::string>{"cp", "dp", "ep", "pp", "tp"})
        return std::pair{"\"" + std::get<std::string>(v) + "\" is not a rank grid order", valid};
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void apply_knob(workload::Execution& e, int k, const Value& v) {
  auto integer = [&] { return static_cast<int>(std::get<int64_t>(v)); };
  auto choice = [&] {
    const auto& c = knobs()[k].choices;
    return static_cast<int>(std::find(c.begin(), c.end(), std::get<std::string>(v)) - c.begin());
  };
  switch (static_cast<Id>(k)) {
    case tp: e.tp = integer(); break;
    case pp: e.pp = integer(); break;
    case dp: e.dp = integer(); break;
    case cp: e.cp = integer(); break;
    case ep: e.ep = integer(); break;
    case vpp: e.vpp = integer(); break;
    case zero: e.zero = integer(); break;
    case micro_batch: e.micro_batch = integer(); break;
    case global_batch: e.global_batch = integer(); break;
    case seq: e.seq = integer(); break;
    case recompute: e.recompute = static_cast<workload::Recompute>(choice()); break;
    case precision: {
      static const std::vector<workload::Precision> selectable = hw::selectable_precisions();
      e.precision = selectable[choice()];
      break;
    }
    case sequence_parallel: e.sequence_parallel = std::get<bool>(v); break;
    case overlap_dp: e.overlap_dp = std::get<bool>(v); break;
    case overlap_tp: e.overlap_tp = std::get<bool>(v); break;
    case overlap_param_gather: e.overlap_param_gather = std::get<bool>(v); break;
    case overlap_tp_backward: e.overlap_tp_backward = std::get<bool>(v); break;
    case order: e.order = split_order(std::get<std::string>(v)); break;
  }
}

}  // namespace rackscope::sweep
