#include "io/input_error.hpp"

namespace rackscope::io {
namespace {
std::string compose(const InputLocation& where, const std::string& key, const std::string& problem,
                    const std::string& valid) {
  std::string out = where.file;
  if (where.line > 0) out += ":" + std::to_string(where.line);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  out += problem;
  if (!valid.empty()) out += " (valid: " + valid + ")";
  return out;
}
}  // namespace

InputError::InputError(InputLocation where, std::string key, std::string problem, std::string valid)
    : std::runtime_error(compose(where, key, problem, valid)), where_(std::move(where)), key_(std::move(key)) {}

}  // namespace rackscope::io
