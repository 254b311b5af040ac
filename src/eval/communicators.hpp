#pragma once
// Collective times for evaluate(), through the planner. A collective no algorithm of the chip's
// runtime can plan is remembered (not turned into a zero): evaluate() reports it as the
// configuration's infeasibility reason.
#include <optional>
#include <string>

#include "collective/select.hpp"
#include "hw/chip.hpp"

namespace rackscope::eval {

class Communicators {
 public:
  Communicators(collective::Planner& planner, const hw::CollectiveRuntime& runtime) : planner_(planner), runtime_(runtime) {}
  // Seconds of `op` over `bytes` on group `g`: 0 for a group of one or no bytes, and 0 (with the
  // call remembered) when nothing plans it.
  double time(collective::Op op, const collective::GroupShape& g, double bytes);
  bool all_planned() const { return !unplanned_; }
  // Names the first unplanned collective: its op, group size and the runtime file.
  std::string unplanned_detail() const;

 private:
  struct Unplanned {
    collective::Op op;
    int ranks;
  };
  collective::Planner& planner_;
  const hw::CollectiveRuntime& runtime_;
  std::optional<Unplanned> unplanned_;
};

}  // namespace rackscope::eval
