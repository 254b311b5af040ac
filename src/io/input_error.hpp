#pragma once
// Bad input is reported as one line: `file:line: key: what is wrong (valid: what would be)`.
// Readers throw InputError; only src/cli/ turns it into a message and exit code 2.
#include <stdexcept>
#include <string>
#include <string_view>

namespace rackscope::io {

// `text` fit to echo on one line: control characters escaped (a newline as \n), and text over
// `max_bytes` (0: the default, 240) shortened to its start and end with the bytes left out counted.
// Every InputError applies it to the file, key and problem it is given.
std::string printable(std::string_view text, size_t max_bytes = 0);

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
