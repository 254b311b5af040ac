// Ranking refined options into the answer a customer reads.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "size/search.hpp"

namespace rackscope::size {
namespace {

bool better(const Option& a, const Option& b) {
  if (a.objective != b.objective) return a.objective < b.objective;
  if (a.candidate != b.candidate) return a.candidate < b.candidate;
  return a.racks < b.racks;
}

// Each configuration's best first (a side-by-side answer), then the next best overall.
std::vector<Option> pick(std::vector<Option> feasible, int top) {
  std::sort(feasible.begin(), feasible.end(), better);
  std::vector<Option> out;
  std::set<int> shown;
  std::vector<bool> taken(feasible.size(), false);
  for (size_t i = 0; i < feasible.size() && static_cast<int>(out.size()) < top; ++i)
    if (shown.insert(feasible[i].candidate).second) out.push_back(feasible[i]), taken[i] = true;
  for (size_t i = 0; i < feasible.size() && static_cast<int>(out.size()) < top; ++i)
    if (!taken[i]) out.push_back(feasible[i]);
  std::sort(out.begin(), out.end(), better);
  return out;
}

// What would make a near miss fit: more racks (if the layout scales), more days, more budget/power.
std::string advise(const Request& r, const Option& o) {
  std::vector<std::string> fixes;
  if (o.wall_s.value > r.deadline_s) {
    fixes.push_back(fmt::format("a deadline of {:.0f} days", std::ceil(o.wall_s.value / 86400)));
    if (o.racks < r.max_racks)
      fixes.push_back(fmt::format("about {:.0f} racks at the same efficiency", std::ceil(o.racks * o.wall_s.value / r.deadline_s)));
  }
  if (r.budget_usd && o.capex_usd.value > *r.budget_usd) fixes.push_back(fmt::format("a budget of ${:.2f}B", o.capex_usd.value / 1e9));
  if (r.power_W && o.peak_power_MW * 1e6 > *r.power_W) fixes.push_back(fmt::format("{:.1f} MW of power", o.peak_power_MW));
  if (o.supply_chips > 0 && o.chips > o.supply_chips) fixes.push_back(fmt::format("{} chips of supply", o.chips));
  std::string s = fmt::format("{} x {}: needs ", o.racks, o.rack);
  for (size_t i = 0; i < fixes.size(); ++i) s += (i ? ", or " : "") + fixes[i];
  return s;
}

}  // namespace

Answer decide(const Request& request, const std::vector<Screened>& screened, std::vector<Option> refined) {
  Answer a;
  for (const auto& s : screened)
    if (!s.reason.empty()) ++a.rejected[s.reason];
  std::vector<Option> feasible, missed;
  for (auto& o : refined) {
    if (o.feasible) feasible.push_back(o);
    else {
      ++a.rejected[o.reject.empty() ? "over_deadline" : o.reject];
      if (o.work_s > 0) missed.push_back(o);
    }
  }
  a.options = pick(std::move(feasible), request.top);
  if (a.options.empty()) {
    std::sort(missed.begin(), missed.end(), [](const Option& x, const Option& y) {
      if (x.wall_s.value != y.wall_s.value) return x.wall_s.value < y.wall_s.value;
      return x.candidate < y.candidate;
    });
    std::set<int> shown;
    for (const auto& o : missed)
      if (shown.insert(o.candidate).second && a.closest.size() < 3) a.closest.push_back(o);
    for (const auto& o : a.closest) a.advice.push_back(advise(request, o));
  }
  return a;
}

const char* objective_name(Objective o) {
  switch (o) {
    case Objective::cost: return "cost";
    case Objective::time: return "time";
    case Objective::energy: return "energy";
  }
  return "cost";
}

}  // namespace rackscope::size
