#include "io/read_text.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace rackscope::io {
namespace {
std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}
}  // namespace

std::optional<std::string> unreadable_input(const std::string& path) {
  struct stat st {};
  // stat, not open: opening a FIFO blocks until a writer comes, which may be never.
  if (path.empty()) return "empty path";
  // A missing file needs no reason beyond "cannot read file": the empty reason.
  if (::stat(path.c_str(), &st) != 0) return errno == ENOENT ? std::string() : std::string(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return "is " + kind_of(st.st_mode) + ", not a regular file";
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxInputBytes)
    return fmt::format("is {} bytes, over the {} MiB limit for an input file", st.st_size, kMaxInputBytes >> 20);
  return std::nullopt;
}

std::string cannot_read(const std::string& path, const std::string& why) {
  return "cannot read file '" + path + "'" + (why.empty() ? "" : ": " + why);
}

std::optional<std::string> read_input_text(const std::string& path, std::string& why) {
  if (auto refused = unreadable_input(path)) {
    why = *refused;
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = std::strerror(errno);
    return std::nullopt;
  }
  // Read in pieces, stopping one byte past the cap: a file that grew after the check is still refused.
  std::string text;
  char piece[65536];
  while (text.size() <= kMaxInputBytes && in.read(piece, sizeof piece).gcount() > 0) text.append(piece, static_cast<size_t>(in.gcount()));
  if (in.bad()) {
    why = "read error";
    return std::nullopt;
  }
  if (text.size() > kMaxInputBytes) {
    why = fmt::format("is over the {} MiB limit for an input file", kMaxInputBytes >> 20);
    return std::nullopt;
  }
  return text;
}

}  // namespace rackscope::io
