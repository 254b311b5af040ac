#pragma once
// The comparison table of `compare`: one column per configuration, one row per fact, the best
// value of each row marked. Built once; printed as text or as JSON (one object per
// configuration with the rows as keys), so both show the same numbers.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "size/request.hpp"

namespace rackscope::cli {

// What a rack is, independent of the model.
struct RackFacts {
  std::string name, packaging;
  // The chip's design apart from its packaging (dies, HBM, peak, chips per rack): two columns
  // with one design on two packagings are compared in a sentence.
  std::string design;
  int chips = 0;
  double hbm_GiB = 0, bf16_PFLOPs = 0, scale_up_GBps = 0, scale_out_GBps = 0;
  double rack_usd = 0, rack_kW = 0, chip_usd = 0, supply_chips = 0;
  bool assumed = false;
};

enum class Better { none, higher, lower };

struct CompareRow {
  std::string key, label;  // JSON key, and the text table's label with its unit
  Better better = Better::none;
  std::vector<std::variant<double, std::string>> values;  // per configuration; NaN: not applicable
  int best = -1;  // column of the best value
  int digits = 0; // decimals in the text table
};

struct CompareTable {
  std::string title;                 // one sentence that says the answer
  std::vector<std::string> packaging;  // per chip built on two packagings: what changing it changes
  std::vector<std::string> columns;
  std::vector<CompareRow> rows;
  std::vector<std::string> notes;
  // Per configuration, the most racks its search could build in memory when that, not the capital
  // or the Clos's reach, stopped it (0: not stopped by memory); JSON `racks_searched_up_to`.
  std::vector<int> memory_capped_racks;
  // Per configuration with a layout, its time-to-train band as numbers (the text row is a
  // string) and whether the band was measured; JSON `time_to_train_low_days` / `_high_days` /
  // `time_to_train_band_measured`.
  struct Band {
    double low_days = 0, high_days = 0;
    bool measured = false;
  };
  std::vector<std::optional<Band>> bands;
  // Per configuration, whether a price or power of its bill of materials is an assumption, not a
  // sourced figure (the text names them in a note; JSON `prices_assumed`).
  std::vector<bool> prices_assumed;
};

CompareTable compare_table(const size::Request& r, const std::vector<RackFacts>& racks, const std::vector<std::optional<size::Option>>& best,
                           int stated_racks);
void print_compare_text(const CompareTable& t);
void print_compare_json(const CompareTable& t);

}  // namespace rackscope::cli
