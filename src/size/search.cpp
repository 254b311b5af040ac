#include "size/search.hpp"

#include <algorithm>
#include <cmath>

#include "collective/select.hpp"
#include "eval/evaluate.hpp"
#include "fabric/clos_shape.hpp"
#include "fabric/fabric.hpp"
#include "fabric/size_estimate.hpp"
#include "size/bracket.hpp"
#include "size/layouts.hpp"
#include "size/price.hpp"
#include "workload/counts.hpp"

namespace rackscope::size {

// A cluster of one rack count with its fabric and collective planner (plans cached across the
// layouts evaluated on it). Few are kept: fabrics of thousands of chips are large.
struct Search::Built {
  hw::ClusterSpec spec;
  std::unique_ptr<fabric::Fabric> fabric;
  std::unique_ptr<collective::Planner> planner;
  ClusterFacts facts;
  uint64_t last_used = 0;
};

namespace {
constexpr size_t kFabricsKept = 8;
// Screening only: the share of wall time assumed to be useful training before goodput is
// computed for the configuration (Llama 3 reports "more than 90%" at 16K GPUs).
constexpr double kScreeningGoodput = 0.9;
// First guess of the racks a deadline needs: model FLOPs at this fraction of dense peak.
constexpr double kEstimateMfu = 0.4;
// Rack counts below the deadline threshold that bisection found, tried one by one (see refine).
constexpr size_t kBelowThreshold = 8;

// The most racks (up to `limit`, at least 1) at which `fits` holds for the spec with that many
// racks: it holds up to some count and not beyond (a Clos's reach, a memory estimate).
template <typename Fits>
int most_racks(const hw::ClusterSpec& spec, int limit, Fits fits) {
  hw::ClusterSpec c = spec;
  auto at = [&](int n) {
    c.racks = n;
    return fits(c);
  };
  if (at(limit)) return limit;
  int lo = 1, hi = limit;  // at(lo) assumed, !at(hi)
  while (hi - lo > 1) {
    const int mid = lo + (hi - lo) / 2;
    (at(mid) ? lo : hi) = mid;
  }
  return lo;
}
}  // namespace

// The most racks (up to `limit`) the cluster's scale-out fabric can join: a Clos runs out of
// ports at some size, and a sizing search must not ask for a fabric that cannot be built.
int buildable_racks(const hw::ClusterSpec& spec, int limit) {
  return most_racks(spec, limit, [](const hw::ClusterSpec& c) { return fabric::clos_shape(c).problem.empty(); });
}

Search::Search(const Request& request, const std::vector<Candidate>& candidates) : request_(request), candidates_(candidates) {
  for (const auto& c : candidates_) {
    layouts_.push_back(layouts(request_.model, c.spec));
    const int reach = c.spec.scale_out.kind == hw::ScaleOutSpec::Kind::clos ? buildable_racks(c.spec, request_.max_racks) : request_.max_racks;
    // Up to kFabricsKept fabrics (and the one being built) are alive at once: each gets that share
    // of the memory, by the estimate the cluster reader checks single fabrics with.
    const double share = request_.fabric_memory_B / static_cast<double>(kFabricsKept + 1);
    max_racks_.push_back(share > 0 ? most_racks(c.spec, reach, [&](const hw::ClusterSpec& s) { return fabric::estimate_size(s).bytes <= share; })
                                   : reach);
    memory_capped_.push_back(max_racks_.back() < reach);
  }
  if (request_.objective == Objective::time)
    for (size_t c = 0; c < candidates_.size(); ++c)
      affordable_.push_back(std::min(racks_within_limits(request_, candidates_[c].spec), max_racks_[c]));
}

Search::~Search() = default;

std::vector<std::pair<int, int>> Search::memory_capped() const {
  std::vector<std::pair<int, int>> out;
  for (size_t c = 0; c < candidates_.size(); ++c)
    if (memory_capped_[c]) out.emplace_back(static_cast<int>(c), max_racks_[c]);
  return out;
}

int Search::estimate_racks(int candidate) const {
  if (request_.objective == Objective::time) return affordable_[candidate];
  const hw::ClusterSpec& s = candidates_[candidate].spec;
  const double flops = workload::model_flops_per_token(request_.model, request_.model.seq) * request_.tokens;
  const double rack_flops = s.rack.chip.flops[hw::Precision::bf16] * s.rack.chips * kEstimateMfu;
  const double racks = flops / (rack_flops * request_.deadline_s * kScreeningGoodput);
  return static_cast<int>(std::clamp(std::ceil(racks), 1.0, static_cast<double>(max_racks_[candidate])));
}

Search::Built& Search::built(int candidate, int racks) {
  auto& slot = built_[{candidate, racks}];
  if (!slot) {
    if (built_.size() > kFabricsKept) {  // evict the least recently used
      auto oldest = built_.end();
      for (auto it = built_.begin(); it != built_.end(); ++it)
        if (it->second && (oldest == built_.end() || it->second->last_used < oldest->second->last_used)) oldest = it;
      if (oldest != built_.end()) built_.erase(oldest);
    }
    auto b = std::make_unique<Built>();
    b->spec = candidates_[candidate].spec;
    b->spec.racks = racks;
    b->fabric = std::make_unique<fabric::Fabric>(b->spec);
    b->planner = std::make_unique<collective::Planner>(*b->fabric, b->spec.rack.chip.collectives);
    b->facts = cluster_facts(*b->fabric);
    ++fabrics_;
    slot = std::move(b);
  }
  slot->last_used = ++clock_;
  return *built_[{candidate, racks}];
}

int Search::screening_racks(const Unit& u) const {
  const auto counts = valid_racks(candidates_[u.candidate].spec, layouts_[u.candidate][u.layout], request_.global_batch,
                                  max_racks_[u.candidate], request_.batch_tolerance);
  if (counts.empty()) return 0;
  // The count nearest the estimate, in ratio.
  const double target = estimate_racks(u.candidate);
  int n = counts.front();
  for (int c : counts)
    if (std::abs(std::log(c / target)) < std::abs(std::log(n / target))) n = c;
  return n;
}

std::vector<Unit> Search::screening_units() const {
  // Grouped by the rack count they are screened at, so consecutive units share one fabric.
  std::vector<std::pair<std::pair<int, int>, Unit>> keyed;
  for (int c = 0; c < static_cast<int>(candidates_.size()); ++c)
    for (int l = 0; l < static_cast<int>(layouts_[c].size()); ++l) {
      const Unit u{c, l, {}, false};
      keyed.push_back({{c, screening_racks(u)}, u});
    }
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Unit> units;
  for (const auto& k : keyed) units.push_back(k.second);
  return units;
}

Option Search::probe(const Unit& u, int racks) {
  Built& b = built(u.candidate, racks);
  Layout l = layouts_[u.candidate][u.layout];
  l.recompute = u.recompute;
  if (u.even_split) l.last_stage_layers = 0;
  const workload::Execution e = execution(b.spec, l, racks, request_.global_batch, request_.batch_tolerance);
  ++evaluations_;
  const eval::Report rep = eval::evaluate({*b.fabric, *b.planner, b.spec.rack.chip.compute}, request_.model, e);
  return price(request_, candidates_[u.candidate], u.candidate, *b.fabric, b.facts, rep, e);
}

Screened Search::screen(const Unit& u) {
  Screened s{u, 0, ""};
  const int n = screening_racks(u);
  if (n == 0) {
    s.reason = "batch_split";
    return s;
  }
  // The least recompute that fits, with the balanced last stage or else the even split.
  Option o;
  const bool balanced = layouts_[u.candidate][u.layout].last_stage_layers > 0;
  for (const RecomputeChoice& step : recompute_ladder(request_.model)) {
    s.unit.recompute = step;
    for (bool even : {false, true}) {
      if (even && !balanced) break;
      s.unit.even_split = even;
      o = probe(s.unit, n);
      if (o.reject != "out_of_memory") break;
    }
    if (o.reject != "out_of_memory") break;
  }
  if (!o.reject.empty() && o.work_s <= 0) {
    s.reason = o.reject;
    return s;
  }
  // Time as the objective (compare, size --objective time): the layout was screened at the most
  // racks it reaches within the limits, so its work there is the time it can reach. Otherwise
  // the racks this layout's speed needs for the deadline.
  if (request_.objective == Objective::time) {
    s.screening_score = o.work_s;
    return s;
  }
  s.screening_score = n * o.work_s / (request_.deadline_s * kScreeningGoodput);
  return s;
}

std::vector<std::pair<Unit, double>> Search::refinement_units(const std::vector<Screened>& screened) const {
  std::vector<std::pair<Unit, double>> out;
  for (int c = 0; c < static_cast<int>(candidates_.size()); ++c) {
    std::vector<const Screened*> ok;
    for (const auto& s : screened)
      if (s.unit.candidate == c && s.reason.empty()) ok.push_back(&s);
    std::stable_sort(ok.begin(), ok.end(), [](const Screened* a, const Screened* b) {
      if (a->screening_score != b->screening_score) return a->screening_score < b->screening_score;
      return a->unit.layout < b->unit.layout;
    });
    for (size_t i = 0; i < ok.size() && static_cast<int>(i) < request_.refine; ++i) out.emplace_back(ok[i]->unit, ok[i]->screening_score);
  }
  return out;
}

Option Search::refine(const Unit& u, double racks_hint) {
  const auto counts = valid_racks(candidates_[u.candidate].spec, layouts_[u.candidate][u.layout], request_.global_batch,
                                  max_racks_[u.candidate], request_.batch_tolerance);
  std::map<size_t, Option> seen;
  auto at = [&](size_t i) -> const Option& {
    auto it = seen.find(i);
    if (it == seen.end()) it = seen.emplace(i, probe(u, counts[i])).first;
    return it->second;
  };
  size_t start = 0;
  while (start + 1 < counts.size() && counts[start] < racks_hint) ++start;
  if (request_.objective == Objective::time) {
    // As many racks as the budget and power allow: the last count within the per-rack estimate,
    // then down while the priced cluster (its scale-out grows faster than linearly) is over them.
    size_t i = 0;
    while (i + 1 < counts.size() && counts[i + 1] <= affordable_[u.candidate]) ++i;
    while (i > 0 && at(i).work_s > 0 && !within_limits(request_, at(i))) --i;
    return at(i);
  }
  const size_t first = first_true(counts.size(), start, [&](size_t i) { return meets_deadline(request_, at(i)); });
  if (first < counts.size()) {
    // Time against racks is not monotone near the threshold: the batch follows dp, and with it
    // the micro-batches per replica and the pipeline bubble. The few counts just below the one
    // bisection found are tried too, and the fewest racks meeting the deadline kept.
    size_t fewest = first;
    for (size_t j = first; j-- > 0 && first - j <= kBelowThreshold;)
      if (meets_deadline(request_, at(j))) fewest = j;
    return at(fewest);
  }
  // Nothing meets the deadline: the fastest seen is the nearest miss.
  const Option* best = nullptr;
  for (const auto& [i, o] : seen)
    if (o.work_s > 0 && (!best || o.wall_s.value < best->wall_s.value)) best = &o;
  return best ? *best : at(counts.size() - 1);
}

}  // namespace rackscope::size
