#pragma once
// Bad input is reported as one line: `file:line: key: what is wrong (valid: what would be)`.
// Readers throw InputError; only src/cli/ turns it into a message and exit code 2.
#include <stdexcept>
#include <string>

namespace rackscope::io {

struct InputLocation {
  std::string file;  // path as given, or "--set" for command-line overrides
  long line = 0;     // 0 when unknown
};

class InputError : public std::runtime_error {
 public:
  InputError(InputLocation where, std::string key, std::string problem, std::string valid = {});
  const InputLocation& where() const { return where_; }
  const std::string& key() const { return key_; }

 private:
  InputLocation where_;
  std::string key_;
};

}  // namespace rackscope::io
