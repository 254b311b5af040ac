#pragma once
// Loading input files: parse TOML (syntax errors become file:line errors), apply `--set`
// overrides, check the declared `kind`, and keep every file's text for provenance records.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "io/overrides.hpp"
#include "io/strict_table.hpp"

namespace rackscope::io {

struct InputFile {
  std::string path;  // as resolved (relative paths resolved against the referencing file)
  std::string text;  // verbatim contents
  std::shared_ptr<toml::table> table;
  std::shared_ptr<OverrideOrigins> origins = std::make_shared<OverrideOrigins>();
};

class InputFiles {
 public:
  // Loads a top-level input (a path given on the command line).
  const InputFile& load(const std::string& path, const std::string& kind, const Overrides& overrides);
  // Loads the file named by `key` in `from` (a path relative to `from`'s file), applying the
  // overrides scoped below `key`.
  const InputFile& load_reference(StrictTable& from, const std::string& key, const std::string& kind,
                                  const Overrides& overrides);
  const std::vector<std::unique_ptr<InputFile>>& files() const { return files_; }
  // Texts read elsewhere, by path as resolved: an MPI sweep's rank 0 reads every input once and
  // broadcasts the texts, so the other ranks never touch the (shared) file system.
  void provide(std::shared_ptr<const std::map<std::string, std::string>> texts) { provided_ = std::move(texts); }

 private:
  const InputFile& load_at(const std::string& path, const std::string& kind, const Overrides& overrides,
                           const InputLocation& referenced_from, const std::string& ref_key);
  std::vector<std::unique_ptr<InputFile>> files_;
  std::shared_ptr<const std::map<std::string, std::string>> provided_;
};

// Top-level table of a loaded file, for reading.
StrictTable top_table(const InputFile& f);
// The top table with the keys every file has (kind, name, description) read and `keys`, the
// rest of its schema, declared; sets `name`.
StrictTable open_top(const InputFile& f, std::vector<std::string> keys, std::string& name);

}  // namespace rackscope::io
