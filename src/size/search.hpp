#pragma once
// The sizing search in two phases, each a list of independent units so MPI ranks can share them
// (the CLI hands units out round-robin and gathers the results; every unit's answer depends only
// on its inputs, so the answer is the same at any rank count):
//  1. screen: every parallel layout of every rack configuration is evaluated once, at the rack
//     count nearest a first estimate, giving the racks it would need for the deadline;
//  2. refine: the best-screened layouts of each configuration are bracketed over the rack counts
//     at which they can run (galloping, then bisection) to the one the objective wants, and priced.
// Rack counts are never enumerated from 1 to N: a layout costs a handful of fabrics.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "size/request.hpp"

namespace rackscope::size {

struct Unit {
  int candidate = 0, layout = 0;
  RecomputeChoice recompute;  // the least that fits, found by screening (a step of recompute_ladder())
  // The even split instead of the layout's balanced last stage, when that one alone does not fit
  // (balancing puts more layers on the first stages, which hold the most activations).
  bool even_split = false;
};

struct Screened {
  Unit unit;
  // Lower is better; 0 when infeasible. With a deadline: the racks estimated to meet it (where
  // refinement starts). Time as the objective: seconds of work at the most racks the layout
  // reaches within the limits and the batch, so the layouts that scale furthest are refined,
  // not the most efficient per rack.
  double screening_score = 0;
  std::string reason;       // why infeasible ("" when feasible)
};

class Search {
 public:
  Search(const Request& request, const std::vector<Candidate>& candidates);
  ~Search();
  Search(const Search&) = delete;
  Search& operator=(const Search&) = delete;

  // Every (configuration, layout) pair, in screening order.
  std::vector<Unit> screening_units() const;
  Screened screen(const Unit& u);
  // The units to refine: per configuration, the `refine` layouts needing the fewest racks.
  std::vector<std::pair<Unit, double>> refinement_units(const std::vector<Screened>& screened) const;
  // The option the objective wants for this layout; not feasible when nothing meets the limits.
  Option refine(const Unit& u, double racks_hint);

  // Per configuration capped below the request's limit and its Clos's reach by the memory its
  // fabrics may take: (candidate, the most racks searched).
  std::vector<std::pair<int, int>> memory_capped() const;
  int64_t evaluations() const { return evaluations_; }
  int64_t fabrics() const { return fabrics_; }

 private:
  struct Built;
  Built& built(int candidate, int racks);
  Option probe(const Unit& u, int racks);
  int estimate_racks(int candidate) const;
  int screening_racks(const Unit& u) const;  // 0: the layout runs at no rack count

  const Request& request_;
  const std::vector<Candidate>& candidates_;
  std::vector<std::vector<Layout>> layouts_;  // per candidate
  std::vector<int> max_racks_;                // per candidate: the request's limit or what its Clos can join, in memory
  std::vector<bool> memory_capped_;           // per candidate: max_racks_ set by the memory limit
  std::vector<int> affordable_;               // per candidate, objective time: racks the limits allow
  std::map<std::pair<int, int>, std::unique_ptr<Built>> built_;
  uint64_t clock_ = 0;
  int64_t evaluations_ = 0, fabrics_ = 0;
};

// Ranks refined options into the answer: feasible ones best first (each configuration's best
// shown, then the next best), rejection counts, and the nearest misses with advice when none fits.
Answer decide(const Request& request, const std::vector<Screened>& screened, std::vector<Option> refined);

}  // namespace rackscope::size
