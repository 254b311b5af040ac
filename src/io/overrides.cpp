#include "io/overrides.hpp"

#include <toml++/toml.h>

#include "io/input_error.hpp"

namespace rackscope::io {
namespace {
std::vector<std::string> split_path(const std::string& s) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : s) {
    if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  return parts;
}
}  // namespace

void Overrides::add(const std::string& assignment) {
  const auto eq = assignment.find('=');
  const InputLocation where{"--set " + assignment, 0};
  if (eq == std::string::npos || eq == 0)
    throw InputError(where, "", "expected path.to.key=value", "e.g. --set racks=32");
  // One assignment per --set: a newline would let TOML read a second key, silently.
  for (char c : assignment)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      throw InputError(where, "", "a control character (newline, tab, ...) in the assignment", "one path.to.key=value per --set, printable text");
  auto item = std::make_shared<Override>();
  item->text = assignment;
  item->path = split_path(assignment.substr(0, eq));
  for (const auto& p : item->path)
    if (p.empty()) throw InputError(where, "", "empty part in key path", "e.g. --set scale_out.radix=64");
  const std::string value = assignment.substr(eq + 1);
  item->holder = std::make_shared<toml::table>();
  try {
    auto parsed = toml::parse("v = " + value, std::string_view("--set"));
    item->holder->insert("v", *parsed.get("v"));
  } catch (const toml::parse_error&) {
    item->holder->insert("v", value);  // not TOML: a bare string such as 400 Gbps
  }
  items_.push_back(item);
  skip_.push_back(0);
}

Overrides Overrides::scoped(const std::vector<std::string>& prefix) const {
  Overrides out;
  for (size_t i = 0; i < items_.size(); ++i) {
    const auto& path = items_[i]->path;
    const size_t start = skip_[i];
    if (path.size() - start <= prefix.size()) continue;
    bool match = true;
    for (size_t k = 0; k < prefix.size(); ++k) match = match && path[start + k] == prefix[k];
    if (!match) continue;
    out.items_.push_back(items_[i]);
    out.skip_.push_back(start + prefix.size());
  }
  return out;
}

void Overrides::apply(toml::table& table, OverrideOrigins& origins) const {
  for (size_t i = 0; i < items_.size(); ++i) {
    const auto& item = *items_[i];
    toml::table* cursor = &table;
    bool behind_reference = false;
    for (size_t k = skip_[i]; k + 1 < item.path.size(); ++k) {
      toml::node* next = cursor->get(item.path[k]);
      if (next && next->is_string()) {  // a file reference: the child file applies the rest
        behind_reference = true;
        break;
      }
      if (!next) {
        cursor->insert(item.path[k], toml::table{});
        next = cursor->get(item.path[k]);
        origins[next] = "--set " + item.text;
      }
      if (!next->is_table())
        throw InputError({"--set " + item.text, 0}, item.path[k], "is not a table, cannot set a key inside it");
      cursor = next->as_table();
    }
    if (behind_reference) continue;
    cursor->insert_or_assign(item.path.back(), *item.holder->get("v"));
    origins[cursor->get(item.path.back())] = "--set " + item.text;
    item.used = true;
  }
}

void Overrides::check_all_used() const {
  for (const auto& item : items_)
    if (!item->used)
      throw InputError({"--set " + item->text, 0}, "", "the path names no key of the inputs",
                       "a key path such as racks or rack.chip.memory.hbm_capacity");
}

}  // namespace rackscope::io
