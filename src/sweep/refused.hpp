#pragma once
// The result file keeps whole rows for feasible configurations only: in a large search most
// configurations are refused (over nine in ten of benchmarks/bench_gpt3_space.toml's), their
// result columns NaN, and writing and deflating those rows was a large share of the sweep's time.
// A refused configuration is stored as its index and reason only, a packed row of `refused_columns()`
// (/refused in README "Sweeps and the HDF5 schema"); its axis values follow from the index.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "sweep/layout.hpp"

namespace rackscope::sweep {

// The /refused row: {index int64, reason (the reason enum)}, packed: 9 bytes.
const std::vector<Column>& refused_columns();
constexpr size_t kRefusedRowSize = 9;
int64_t refused_index(const uint8_t* row);
uint8_t refused_reason(const uint8_t* row);

struct Split {
  std::vector<uint8_t> feasible;  // the feasible rows, whole (layout.row_size() bytes each), in the order given
  std::vector<uint8_t> refused;   // the others as /refused rows (kRefusedRowSize bytes each), in the order given
  int64_t feasible_rows = 0, refused_rows = 0;
};

// `n` packed rows of `layout` split by their reason column (0: feasible). Rows given in index
// order stay in index order on both sides.
Split split_refused(const Layout& layout, const uint8_t* rows, size_t n);
// The same, appended to `into` (a slice split block by block, each block after the last).
void split_refused(const Layout& layout, const uint8_t* rows, size_t n, Split& into);

}  // namespace rackscope::sweep
