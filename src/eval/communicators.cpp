#include "eval/communicators.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace rackscope::eval {

double Communicators::time(collective::Op op, const collective::GroupShape& g, double bytes) {
  if (g.size() < 2 || bytes <= 0) return 0.0;
  const std::optional<collective::Choice> c = planner_.best(op, g, bytes);
  if (c) return c->time_s;
  if (!unplanned_) unplanned_ = Unplanned{op, static_cast<int>(g.size())};
  return 0.0;
}

std::string Communicators::unplanned_detail() const {
  if (!unplanned_) return {};
  return fmt::format("no algorithm of the collective runtime {} ({}) plans {} on a group of {} ranks", runtime_.file,
                     fmt::join(runtime_.algorithms, ", "), collective::op_name(unplanned_->op), unplanned_->ranks);
}

}  // namespace rackscope::eval
