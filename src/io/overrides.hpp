#pragma once
// `--set path.to.key=value` on every command that reads inputs. A path whose first part names a
// file reference (`rack = "../racks/x.toml"`) reaches into the referenced file: `--set
// rack.chips=32`. Values are parsed as TOML (`32`, `"800 Gbps"`, `[4, 4]`); anything that is not
// valid TOML is taken as a string, so `--set scale_out.link_bandwidth=400 Gbps` works unquoted.
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace toml {
inline namespace v3 {
class table;
class node;
}  // namespace v3
}  // namespace toml

namespace rackscope::io {

struct Override {
  std::string text;               // as typed, for error messages
  std::vector<std::string> path;  // key path split at '.'
  std::shared_ptr<toml::table> holder;  // holds the parsed value under key "v"
  mutable bool used = false;
};

// Which nodes of a file were written by which `--set`, so errors there name the `--set`.
using OverrideOrigins = std::map<const toml::node*, std::string>;

class Overrides {
 public:
  Overrides() = default;
  // Parses "a.b=value"; throws InputError (file "--set") when malformed.
  void add(const std::string& assignment);
  // Overrides below `prefix` (path parts), with `prefix` removed.
  Overrides scoped(const std::vector<std::string>& prefix) const;
  // Writes the overrides whose path lies inside `table` (not behind a file reference) into it.
  // A path is behind a file reference when a prefix of it names a string value of `table`.
  void apply(toml::table& table, OverrideOrigins& origins) const;
  // Throws for an override that was never applied to any file (its path names no input).
  void check_all_used() const;
  bool empty() const { return items_.empty(); }

 private:
  std::vector<std::shared_ptr<Override>> items_;
  std::vector<size_t> skip_;  // parallel to items_: how many path parts the scope removed
};

}  // namespace rackscope::io
