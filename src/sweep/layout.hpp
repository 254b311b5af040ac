#pragma once
// The /results row: a packed record (no padding, so equal results are equal bytes) of the
// configuration index, its axis values, derived sizes, feasibility and results. The HDF5 layer
// turns this list into a compound type; everything else packs and reads rows through it.
#include <cstdint>
#include <string>
#include <vector>

#include "sweep/result.hpp"
#include "sweep/space.hpp"
#include "sweep/spec.hpp"

namespace rackscope::sweep {

enum class Type { u8, u32, i64, u64, f64, reason };  // reason: u8 with the reason names as an enum

struct Column {
  std::string name, units, description;
  Type type = Type::f64;
  size_t offset = 0;
};

size_t type_size(Type t);

class Layout {
 public:
  explicit Layout(const Spec& spec);
  const std::vector<Column>& columns() const { return columns_; }
  size_t row_size() const { return row_size_; }
  // Writes the row of `r` at `out` (row_size() bytes).
  void pack(const Result& r, const Space& space, uint8_t* out) const;
  // Column by name, or nullptr.
  const Column* find(const std::string& name) const;
  // A column's value in a packed row, as a double (integers converted).
  double number(const uint8_t* row, const Column& c) const;

 private:
  void add(std::string name, Type t, std::string units, std::string description = {});
  const Spec* spec_;
  std::vector<Column> columns_;
  size_t row_size_ = 0;
  size_t first_axis_ = 0;  // columns [first_axis_, first_axis_ + axes) are the axes
  bool derived_dp_ = false;
};

}  // namespace rackscope::sweep
