#pragma once
// The one way an input file is read: a regular file (never a FIFO, device or folder, which would
// block or never end), no larger than kMaxInputBytes. Every reader of TOML inputs and the sweep's
// checks of the files a spec names go through here.
#include <cstdint>
#include <optional>
#include <string>

namespace rackscope::io {

// No shipped input is over 100 KB; a file this large is a mistake (a results file, an image).
inline constexpr std::uintmax_t kMaxInputBytes = 16u << 20;

// Why `path` cannot be read as an input ("is a FIFO, not a regular file", "is 9.2 GB, over the
// 16 MiB limit for an input file"; empty when it does not exist), or nullopt when it can.
std::optional<std::string> unreadable_input(const std::string& path);

// "cannot read file 'PATH'", then ": why" when there is a reason.
std::string cannot_read(const std::string& path, const std::string& why);

// The contents of `path`; nullopt with `why` set when unreadable_input() refuses it or reading fails.
std::optional<std::string> read_input_text(const std::string& path, std::string& why);

}  // namespace rackscope::io
