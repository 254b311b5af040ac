#include "io/strict_table.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "io/did_you_mean.hpp"

namespace rackscope::io {
namespace {
// Keys any table may hold: where its numbers come from and free text for people.
const std::vector<std::string> kProvenanceKeys = {"source", "assumption", "note", "confidence"};

std::string type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a number";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    default: return "a date/time";
  }
}

bool is_text(const toml::node* n) { return n && n->is_string(); }
}  // namespace

StrictTable::StrictTable(const toml::table& table, std::string file, std::string prefix, const OverrideOrigins* origins)
    : table_(&table), origins_(origins), file_(std::move(file)), prefix_(std::move(prefix)) {
  for (const auto& k : kProvenanceKeys) known_.insert(k);
  for (const auto& k : {"source", "assumption"}) {
    const toml::node* n = table_->get(k);
    if (n && !n->is_string()) fail(k, "must be a string naming a document or a reason");
    if (n && !n->as_string()->get().empty()) has_provenance_ = true;
  }
  for (const auto& k : {"note", "confidence"}) {
    const toml::node* n = table_->get(k);
    if (n && !n->is_string()) fail(k, "must be a string");
  }
}

std::string StrictTable::full_key(const std::string& key) const {
  return prefix_.empty() ? key : prefix_ + "." + key;
}

InputLocation StrictTable::location_of(const toml::node& n) const {
  if (origins_) {
    auto it = origins_->find(&n);
    if (it != origins_->end()) return {it->second, 0};
  }
  return {file_, static_cast<long>(n.source().begin.line)};
}

InputLocation StrictTable::location(const std::string& key) const {
  const toml::node* n = key.empty() ? nullptr : table_->get(key);
  return location_of(n ? *n : static_cast<const toml::node&>(*table_));
}

void StrictTable::expect(const std::vector<std::string>& keys) {
  for (const auto& k : keys) known_.insert(k);
  finish();
}

void StrictTable::fail_if_misspelled(const std::string& key) const {
  for (const auto& [k, v] : *table_) {
    const std::string name(k.str());
    if (known_.count(name) || closest_match(name, {key}).empty()) continue;
    std::vector<std::string> valid;
    for (const auto& kk : known_)
      if (std::find(kProvenanceKeys.begin(), kProvenanceKeys.end(), kk) == kProvenanceKeys.end()) valid.push_back(kk);
    throw InputError(location_of(v), full_key(name), "unknown key; did you mean '" + key + "'?", fmt::format("{}", fmt::join(valid, ", ")));
  }
}

void StrictTable::fail(const std::string& key, const std::string& problem, const std::string& valid) const {
  throw InputError(location(key), full_key(key), problem, valid);
}

bool StrictTable::has(const std::string& key) const { return table_->get(key) != nullptr; }

const toml::node* StrictTable::lookup(const std::string& key) {
  known_.insert(key);
  return table_->get(key);
}

const toml::node* StrictTable::require(const std::string& key) {
  const toml::node* n = lookup(key);
  if (!n) {
    fail_if_misspelled(key);
    throw InputError(location(""), full_key(key), "missing required key");
  }
  return n;
}

const toml::node& StrictTable::hardware_value(const std::string& key, const toml::node& node) {
  if (const auto* inline_table = node.as_table()) {
    const toml::node* value = inline_table->get("value");
    if (!value) fail(key, "an inline table here needs `value`", "{ value = ..., source = \"...\" }");
    for (const auto& [k, v] : *inline_table) {
      const std::string name(k.str());
      if (name != "value" && name != "source" && name != "assumption" && name != "note")
        fail(key, "unknown key '" + name + "' in value table", "value, source, assumption, note");
    }
    if (!is_text(inline_table->get("source")) && !is_text(inline_table->get("assumption")))
      fail(key, "hardware number without source or assumption", "add source = \"document, table\" or assumption = \"why\"");
    return *value;
  }
  // A value written by `--set` is the user's own statement: the command line is its provenance.
  const bool from_command_line = origins_ && origins_->count(&node);
  if (!has_provenance_ && !from_command_line)
    fail(key, "hardware number without source or assumption",
         "give the table a source = \"document, table\" or assumption = \"why\", or write { value = ..., source = ... }");
  return node;
}

std::string StrictTable::string(const std::string& key) {
  const toml::node* n = require(key);
  if (!n->is_string()) fail(key, "expected a string, found " + type_name(*n));
  return n->as_string()->get();
}

std::optional<std::string> StrictTable::optional_string(const std::string& key) {
  if (!lookup(key)) return std::nullopt;
  return string(key);
}

std::string StrictTable::choice(const std::string& key, const std::vector<std::string>& choices) {
  const std::string v = string(key);
  for (const auto& c : choices)
    if (c == v) return v;
  const std::string guess = closest_match(v, choices);
  fail(key, "unknown value \"" + v + "\"" + (guess.empty() ? "" : "; did you mean \"" + guess + "\"?"), fmt::format("{}", fmt::join(choices, ", ")));
}

std::optional<std::string> StrictTable::optional_choice(const std::string& key, const std::vector<std::string>& choices) {
  if (!lookup(key)) return std::nullopt;
  return choice(key, choices);
}

std::vector<std::string> StrictTable::string_list(const std::string& key, const std::vector<std::string>& choices) {
  const toml::node* n = require(key);
  const auto* arr = n->as_array();
  if (!arr || arr->empty()) fail(key, "expected a non-empty array of strings", fmt::format("{}", fmt::join(choices, ", ")));
  std::vector<std::string> out;
  for (const auto& e : *arr) {
    if (!e.is_string()) fail(key, "expected strings, found " + type_name(e), fmt::format("{}", fmt::join(choices, ", ")));
    const std::string v = e.as_string()->get();
    if (std::find(choices.begin(), choices.end(), v) == choices.end()) {
      const std::string guess = closest_match(v, choices);
      fail(key, "unknown value \"" + v + "\"" + (guess.empty() ? "" : "; did you mean \"" + guess + "\"?"), fmt::format("{}", fmt::join(choices, ", ")));
    }
    if (std::find(out.begin(), out.end(), v) != out.end()) fail(key, "\"" + v + "\" listed twice", fmt::format("{}", fmt::join(choices, ", ")));
    out.push_back(v);
  }
  return out;
}

int64_t StrictTable::integer(const std::string& key, int64_t min, int64_t max) {
  const toml::node& n = hardware_value(key, *require(key));
  const std::string valid = fmt::format("an integer from {} to {}", min, max);
  if (!n.is_integer()) fail(key, "expected an integer, found " + type_name(n), valid);
  const int64_t v = n.as_integer()->get();
  if (v < min || v > max) fail(key, fmt::format("{} is out of range", v), valid);
  return v;
}

std::optional<int64_t> StrictTable::optional_integer(const std::string& key, int64_t min, int64_t max) {
  if (!lookup(key)) return std::nullopt;
  return integer(key, min, max);
}

std::vector<int64_t> StrictTable::integer_array(const std::string& key, int64_t min, int64_t max) {
  const toml::node& n = hardware_value(key, *require(key));
  const auto* arr = n.as_array();
  if (!arr || arr->empty()) fail(key, "expected a non-empty array of integers", fmt::format("e.g. [4, 4] with values from {} to {}", min, max));
  std::vector<int64_t> out;
  for (const auto& e : *arr) {
    if (!e.is_integer()) fail(key, "expected integers, found " + type_name(e), fmt::format("integers from {} to {}", min, max));
    const int64_t v = e.as_integer()->get();
    if (v < min || v > max) fail(key, fmt::format("{} is out of range", v), fmt::format("integers from {} to {}", min, max));
    out.push_back(v);
  }
  return out;
}

double StrictTable::number(const std::string& key) {
  const toml::node& n = hardware_value(key, *require(key));
  double v = 0;
  if (n.is_integer()) v = static_cast<double>(n.as_integer()->get());
  else if (n.is_floating_point()) v = n.as_floating_point()->get();
  else fail(key, "expected a number, found " + type_name(n));
  return v;
}

double StrictTable::positive_number(const std::string& key) {
  const double v = number(key);
  if (!(v > 0) || !std::isfinite(v)) fail(key, fmt::format("{} must be positive", v), "a number > 0");
  return v;
}

double StrictTable::share(const std::string& key) {
  const double v = number(key);
  if (!(v >= 0 && v < 1)) fail(key, fmt::format("{} is not a share", v), "a number in [0, 1)");
  return v;
}

double StrictTable::non_negative_number(const std::string& key) {
  const double v = number(key);
  if (!(v >= 0) || !std::isfinite(v)) fail(key, fmt::format("{} must not be negative", v), "a number >= 0");
  return v;
}

Provenance StrictTable::provenance(const std::string& key) const {
  const toml::node* n = table_->get(key);
  if (n && origins_) {
    auto it = origins_->find(n);
    if (it != origins_->end()) return {it->second, false};
  }
  // The value's own inline table first, then the table holding it.
  const toml::table* holder = n && n->is_table() && n->as_table()->get("value") ? n->as_table() : table_;
  const toml::node* source = holder->get("source");
  const toml::node* assumption = holder->get("assumption");
  if (is_text(source)) {
    std::string text = source->as_string()->get();
    if (is_text(assumption)) text += "; assumption: " + assumption->as_string()->get();
    return {text, false};
  }
  if (is_text(assumption)) return {"assumption: " + assumption->as_string()->get(), true};
  return {"", true};
}

std::optional<double> StrictTable::optional_positive_number(const std::string& key) {
  if (!lookup(key)) return std::nullopt;
  return positive_number(key);
}

double StrictTable::fraction(const std::string& key) {
  const double v = positive_number(key);
  if (v > 1) fail(key, fmt::format("{} is not a fraction", v), "a number in (0, 1]");
  return v;
}

std::optional<double> StrictTable::optional_fraction(const std::string& key) {
  if (!lookup(key)) return std::nullopt;
  return fraction(key);
}

double StrictTable::quantity(const std::string& key, units::Dimension d, bool allow_zero) {
  const toml::node& n = hardware_value(key, *require(key));
  if (!n.is_string()) {
    if (n.is_number()) fail(key, "a bare number where a unit is needed", units::describe(d));
    fail(key, "expected a quantity string, found " + type_name(n), units::describe(d));
  }
  std::string why;
  const auto v = units::parse(n.as_string()->get(), d, &why);
  if (!v) fail(key, why, units::describe(d));
  if (*v < 0 || (*v == 0 && !allow_zero)) fail(key, "\"" + n.as_string()->get() + "\" must be " + (allow_zero ? "non-negative" : "positive"), units::describe(d));
  return *v;
}

std::optional<double> StrictTable::optional_quantity(const std::string& key, units::Dimension d, bool allow_zero) {
  if (!lookup(key)) return std::nullopt;
  return quantity(key, d, allow_zero);
}

std::vector<double> StrictTable::quantity_list(const std::string& key, units::Dimension d) {
  const toml::node& n = hardware_value(key, *require(key));
  if (!n.is_array()) return {quantity(key, d)};
  std::vector<double> out;
  for (const auto& e : *n.as_array()) {
    std::string why;
    if (!e.is_string()) fail(key, "expected quantity strings, found " + type_name(e), units::describe(d));
    const auto v = units::parse(e.as_string()->get(), d, &why);
    if (!v) fail(key, why, units::describe(d));
    if (*v <= 0) fail(key, "\"" + e.as_string()->get() + "\" must be positive", units::describe(d));
    out.push_back(*v);
  }
  if (out.empty()) fail(key, "empty list", units::describe(d));
  return out;
}

std::vector<double> StrictTable::fraction_list(const std::string& key) {
  const toml::node& n = hardware_value(key, *require(key));
  if (!n.is_array()) return {fraction(key)};
  std::vector<double> out;
  for (const auto& e : *n.as_array()) {
    const double v = e.is_integer() ? static_cast<double>(e.as_integer()->get()) : e.is_floating_point() ? e.as_floating_point()->get() : -1;
    if (!e.is_number()) fail(key, "expected numbers, found " + type_name(e), "fractions in (0, 1]");
    if (!(v > 0 && v <= 1)) fail(key, fmt::format("{} is not a fraction", v), "fractions in (0, 1]");
    out.push_back(v);
  }
  if (out.empty()) fail(key, "empty list", "fractions in (0, 1]");
  return out;
}

bool StrictTable::boolean(const std::string& key, bool fallback) {
  const toml::node* n = lookup(key);
  if (!n) return fallback;
  if (!n->is_boolean()) fail(key, "expected true or false, found " + type_name(*n));
  return n->as_boolean()->get();
}

StrictTable StrictTable::table(const std::string& key) {
  const toml::node* n = require(key);
  if (!n->is_table()) fail(key, "expected a table, found " + type_name(*n));
  return StrictTable(*n->as_table(), file_, full_key(key), origins_);
}

std::optional<StrictTable> StrictTable::optional_table(const std::string& key) {
  if (!lookup(key)) return std::nullopt;
  return table(key);
}

std::vector<StrictTable> StrictTable::table_array(const std::string& key) {
  const toml::node* n = require(key);
  const auto* arr = n->as_array();
  if (!arr || !arr->is_array_of_tables()) fail(key, "expected an array of tables ([[" + key + "]])");
  std::vector<StrictTable> out;
  size_t i = 0;
  for (const auto& e : *arr) out.emplace_back(*e.as_table(), file_, full_key(key) + "[" + std::to_string(i++) + "]", origins_);
  return out;
}

void StrictTable::finish() {
  for (const auto& [k, v] : *table_) {
    const std::string name(k.str());
    if (known_.count(name)) continue;
    std::vector<std::string> valid, absent;
    for (const auto& kk : known_) {
      if (std::find(kProvenanceKeys.begin(), kProvenanceKeys.end(), kk) != kProvenanceKeys.end()) continue;
      valid.push_back(kk);
      if (!table_->get(kk)) absent.push_back(kk);
    }
    // Prefer a key the table lacks: "chisp" next to "chip" means "chips".
    std::string guess = closest_match(name, absent);
    if (guess.empty()) guess = closest_match(name, valid);
    throw InputError(location_of(v), full_key(name), "unknown key" + (guess.empty() ? std::string() : "; did you mean '" + guess + "'?"),
                     fmt::format("{}", fmt::join(valid, ", ")));
  }
}

}  // namespace rackscope::io
