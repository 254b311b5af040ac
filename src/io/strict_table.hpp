#pragma once
// Strict reading of one TOML table: every getter records the key as known, `finish()` then
// rejects any key nobody asked for (with a did-you-mean). Hardware numbers must say where they
// come from: a table holding numbers carries `source` or `assumption`, or a number is written as
// an inline table `{ value = "2.9 TB/s", source = "..." }`.
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "io/input_error.hpp"
#include "io/overrides.hpp"
#include "units/quantity.hpp"

namespace rackscope::io {

// Where a number read from a table comes from: its `source` or `assumption` text (the value's
// own, else its table's), or the `--set` that wrote it; `assumed` when no source backs it.
struct Provenance {
  std::string text;
  bool assumed = false;
};

class StrictTable {
 public:
  // `prefix` is the dotted path of this table inside its file ("" for the top level).
  StrictTable(const toml::table& table, std::string file, std::string prefix, const OverrideOrigins* origins = nullptr);

  // Declares every key this table may hold and rejects any other at once, before meaning is
  // read (a misspelled optional table is reported as such, not as what its absence implies).
  void expect(const std::vector<std::string>& keys);

  bool has(const std::string& key) const;
  std::string string(const std::string& key);
  std::optional<std::string> optional_string(const std::string& key);
  // One of `choices`, else an error listing them.
  std::string choice(const std::string& key, const std::vector<std::string>& choices);
  std::optional<std::string> optional_choice(const std::string& key, const std::vector<std::string>& choices);
  // A non-empty array of distinct strings, each one of `choices`.
  std::vector<std::string> string_list(const std::string& key, const std::vector<std::string>& choices);
  // Integers are hardware numbers too (chip counts, dimensions): they need provenance.
  int64_t integer(const std::string& key, int64_t min, int64_t max);
  std::optional<int64_t> optional_integer(const std::string& key, int64_t min, int64_t max);
  std::vector<int64_t> integer_array(const std::string& key, int64_t min, int64_t max);
  // A fraction in (0, 1], e.g. an efficiency.
  double fraction(const std::string& key);
  std::optional<double> optional_fraction(const std::string& key);
  std::vector<double> fraction_list(const std::string& key);  // one fraction, or an array of them
  double positive_number(const std::string& key);  // dimensionless, > 0
  double share(const std::string& key);            // dimensionless, in [0, 1): a part that may be none
  double non_negative_number(const std::string& key);  // dimensionless, >= 0 (a price that may be nothing)
  // Provenance of a number this table holds (call after reading it).
  Provenance provenance(const std::string& key) const;
  std::optional<double> optional_positive_number(const std::string& key);
  // A quantity with a unit, strictly positive unless `allow_zero`.
  double quantity(const std::string& key, units::Dimension d, bool allow_zero = false);
  std::optional<double> optional_quantity(const std::string& key, units::Dimension d, bool allow_zero = false);
  // One quantity, or an array of them (e.g. a bandwidth per torus dimension).
  std::vector<double> quantity_list(const std::string& key, units::Dimension d);
  bool boolean(const std::string& key, bool fallback);

  StrictTable table(const std::string& key);
  std::optional<StrictTable> optional_table(const std::string& key);
  std::vector<StrictTable> table_array(const std::string& key);

  // Unknown keys are errors; call after reading everything.
  void finish();

  // Errors located at `key` (or at the table when the key is absent).
  [[noreturn]] void fail(const std::string& key, const std::string& problem, const std::string& valid = {}) const;
  InputLocation location(const std::string& key) const;
  const std::string& file() const { return file_; }
  std::string full_key(const std::string& key) const;

 private:
  const toml::node* lookup(const std::string& key);
  const toml::node* require(const std::string& key);
  double number(const std::string& key);  // any finite or infinite TOML number, with provenance
  // The value of a hardware number, unwrapping `{ value = ..., source = ... }` and checking provenance.
  const toml::node& hardware_value(const std::string& key, const toml::node& node);

  // The unknown key (and its suggestion) that best explains a missing `key`, or throws nothing.
  void fail_if_misspelled(const std::string& key) const;
  InputLocation location_of(const toml::node& n) const;

  const toml::table* table_;
  const OverrideOrigins* origins_ = nullptr;
  std::string file_;
  std::string prefix_;
  std::set<std::string> known_;
  bool has_provenance_ = false;
};

}  // namespace rackscope::io
