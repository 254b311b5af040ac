#include "sweep/refused.hpp"

#include <cstring>

#include "units/check.hpp"

namespace rackscope::sweep {

const std::vector<Column>& refused_columns() {
  static const std::vector<Column> columns = {
      {"index", "1", "configuration index in the mixed-radix enumeration of /space", Type::i64, 0},
      {"reason", "code", "why the configuration was refused; names in /infeasible and in the enum type", Type::reason, 8},
  };
  return columns;
}

int64_t refused_index(const uint8_t* row) {
  int64_t v;
  std::memcpy(&v, row, sizeof v);
  return v;
}

uint8_t refused_reason(const uint8_t* row) { return row[8]; }

void split_refused(const Layout& layout, const uint8_t* rows, size_t n, Split& into) {
  const Column* index = layout.find("index");
  const Column* reason = layout.find("reason");
  RACKSCOPE_ASSERT(index && index->type == Type::u64 && reason && reason->type == Type::reason, "the layout has index and reason columns");
  const size_t rs = layout.row_size();
  int64_t refused = 0;
  for (size_t i = 0; i < n; ++i) refused += rows[i * rs + reason->offset] != 0;
  const int64_t feasible = static_cast<int64_t>(n) - refused;
  const size_t f0 = into.feasible.size(), r0 = into.refused.size();
  into.feasible.resize(f0 + static_cast<size_t>(feasible) * rs);
  into.refused.resize(r0 + static_cast<size_t>(refused) * kRefusedRowSize);
  into.feasible_rows += feasible;
  into.refused_rows += refused;
  uint8_t* f = into.feasible.data() + f0;
  uint8_t* r = into.refused.data() + r0;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* row = rows + i * rs;
    const uint8_t code = row[reason->offset];
    if (code == 0) {
      std::memcpy(f, row, rs);
      f += rs;
      continue;
    }
    uint64_t at;
    std::memcpy(&at, row + index->offset, sizeof at);
    const int64_t signed_at = static_cast<int64_t>(at);  // indices are below 2^63: the space's total is an int64
    std::memcpy(r, &signed_at, sizeof signed_at);
    r[8] = code;
    r += kRefusedRowSize;
  }
}

Split split_refused(const Layout& layout, const uint8_t* rows, size_t n) {
  Split s;
  split_refused(layout, rows, n, s);
  return s;
}

}  // namespace rackscope::sweep
