#pragma once
// What the end of a sweep reports, from packed /results rows: counts per reason, the
// non-dominated rows for the spec's objectives, and the summary table printed on stdout.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sweep/layout.hpp"
#include "sweep/space.hpp"
#include "sweep/spec.hpp"

namespace rackscope::sweep {

// Adds the rows' reasons to `counts` (indexed by reason code).
void count_reasons(const Layout& layout, const uint8_t* rows, size_t n, std::vector<int64_t>& counts);
// The feasible rows no other feasible row dominates for `objectives`, in the order given.
std::vector<uint8_t> front_rows(const Layout& layout, const std::vector<Objective>& objectives, const uint8_t* rows, size_t n);
// The best rows (by the first objective) as a table for people, with the reason counts.
std::string summary_table(const Spec& spec, const Space& space, const Layout& layout, const std::vector<uint8_t>& front,
                          const std::vector<int64_t>& counts, size_t max_rows);
// Identifies a sweep and its inputs (a resumed run must match the killed one): SHA-256 over
// every input's text (not its path: another spelling or working folder is the same sweep) and
// the row layout.
std::string digest(const std::map<std::string, std::string>& texts, const Layout& layout);

}  // namespace rackscope::sweep
