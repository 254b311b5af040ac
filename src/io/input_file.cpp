#include "io/input_file.hpp"

#include <toml++/toml.h>

#include <filesystem>

#include "io/read_text.hpp"

namespace rackscope::io {
namespace fs = std::filesystem;

const InputFile& InputFiles::load(const std::string& path, const std::string& kind, const Overrides& overrides) {
  return load_at(path, kind, overrides, {"command line", 0}, "");
}

const InputFile& InputFiles::load_reference(StrictTable& from, const std::string& key, const std::string& kind,
                                            const Overrides& overrides) {
  const std::string rel = from.string(key);
  const fs::path base = fs::path(from.file()).parent_path();
  const std::string path = (fs::path(rel).is_absolute() ? fs::path(rel) : base / rel).lexically_normal().string();
  InputLocation where = from.location(key);
  return load_at(path, kind, overrides.scoped({key}), where, from.full_key(key));
}

const InputFile& InputFiles::load_at(const std::string& path, const std::string& kind, const Overrides& overrides,
                                     const InputLocation& referenced_from, const std::string& ref_key) {
  auto file = std::make_unique<InputFile>();
  file->path = path;
  const auto provided = provided_ ? provided_->find(path) : std::map<std::string, std::string>::const_iterator{};
  if (provided_ && provided != provided_->end()) {
    file->text = provided->second;
  } else {
    std::string why;
    auto text = read_input_text(path, why);
    if (!text) {
      const std::string problem = cannot_read(path, why);
      if (ref_key.empty()) throw InputError(referenced_from, kind, problem, "a path to an existing " + kind + " file");
      throw InputError(referenced_from, ref_key, problem, "a path to an existing " + kind + " file, relative to the file that names it");
    }
    file->text = std::move(*text);
  }
  try {
    file->table = std::make_shared<toml::table>(toml::parse(file->text, std::string_view(path)));
  } catch (const toml::parse_error& e) {
    throw InputError({path, static_cast<long>(e.source().begin.line)}, "", std::string("TOML syntax error: ") + std::string(e.description()),
                     "TOML 1.0, see https://toml.io");
  }
  overrides.apply(*file->table, *file->origins);
  StrictTable top(*file->table, path, "", file->origins.get());
  const std::string declared = top.string("kind");
  if (declared != kind)
    top.fail("kind", "this file is a \"" + declared + "\" where a \"" + kind + "\" file is expected", "kind = \"" + kind + "\"");
  files_.push_back(std::move(file));
  return *files_.back();
}

StrictTable top_table(const InputFile& f) { return StrictTable(*f.table, f.path, "", f.origins.get()); }

StrictTable open_top(const InputFile& f, std::vector<std::string> keys, std::string& name) {
  StrictTable top = top_table(f);
  keys.insert(keys.end(), {"kind", "name", "description"});
  top.expect(keys);
  top.string("kind");
  name = top.string("name");
  top.optional_string("description");
  return top;
}

}  // namespace rackscope::io
