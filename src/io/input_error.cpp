#include "io/input_error.hpp"

#include <string_view>

namespace rackscope::io {
namespace {
// Longest part of a message (file, key, problem) echoed whole; longer ones keep both ends.
constexpr size_t kMaxPart = 240;

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::string escape(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (u < 0x20 || u == 0x7f) {
      out += "\\x";
      out.push_back(hex[u >> 4]);
      out.push_back(hex[u & 15]);
    }
    else out += c;
  }
  return out;
}

std::string compose(const InputLocation& where, const std::string& key, const std::string& problem,
                    const std::string& valid) {
  // Appended piece by piece (GCC 12 warns falsely on `std::to_string(n) + ...` temporaries here).
  std::string out = printable(where.file);
  if (where.line > 0) {
    out += ':';
    out += std::to_string(where.line);
  }
  out += ": ";
  if (!key.empty()) {
    out += printable(key);
    out += ": ";
  }
  out += printable(problem);
  if (!valid.empty()) {
    out += " (valid: ";
    out += printable(valid, 4 * kMaxPart);
    out += ')';
  }
  return out;
}
}  // namespace

std::string printable(std::string_view text, size_t max_bytes) {
  if (max_bytes == 0) max_bytes = kMaxPart;
  if (text.size() <= max_bytes) return escape(text);
  // Cut on character boundaries (never inside a UTF-8 sequence).
  size_t head = max_bytes * 2 / 3, tail = text.size() - (max_bytes - head);
  while (head > 0 && continuation(text[head])) --head;
  while (tail < text.size() && continuation(text[tail])) ++tail;
  return escape(text.substr(0, head)) + "[... " + std::to_string(tail - head) + " bytes ...]" + escape(text.substr(tail));
}

InputError::InputError(InputLocation where, std::string key, std::string problem, std::string valid)
    : std::runtime_error(compose(where, key, problem, valid)), where_(std::move(where)), key_(std::move(key)) {}

}  // namespace rackscope::io
