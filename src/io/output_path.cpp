#include "io/output_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "io/input_error.hpp"

namespace rackscope::io {
namespace fs = std::filesystem;

void check_output(const std::string& flag, const std::string& path, const std::vector<std::string>& inputs) {
  const std::string valid = "a new or regular file in a writable folder, not one of the inputs";
  auto refuse = [&](const std::string& problem) { throw InputError({flag, 0}, path, problem, valid); };
  if (path.empty()) refuse("empty path");
  struct stat out {};
  const bool exists = ::stat(path.c_str(), &out) == 0;
  if (exists && S_ISDIR(out.st_mode)) refuse("is a folder");
  if (exists && !S_ISREG(out.st_mode)) refuse("is not a regular file");
  const fs::path parent = fs::path(path).parent_path();
  const std::string folder = parent.empty() ? "." : parent.string();
  struct stat dir {};
  if (::stat(folder.c_str(), &dir) != 0 || !S_ISDIR(dir.st_mode)) refuse("folder '" + folder + "' does not exist");
  // The file is replaced by a rename, so its folder must take new files.
  if (::access(folder.c_str(), W_OK | X_OK) != 0) refuse("folder '" + folder + "' is not writable");
  if (!exists) return;
  for (const auto& input : inputs) {
    struct stat in {};
    if (::stat(input.c_str(), &in) == 0 && in.st_dev == out.st_dev && in.st_ino == out.st_ino)
      refuse(input == path ? "is an input of this run" : "is an input of this run ('" + input + "')");
  }
}

void write_replacing(const std::string& flag, const std::string& path, const std::string& text) {
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
      std::remove(temporary.c_str());
      throw InputError({flag, 0}, path, std::string("cannot write ") + temporary + ": " + std::strerror(errno), "a writable path");
    }
  }
  std::error_code ec;
  fs::rename(temporary, path, ec);
  if (ec) {
    std::remove(temporary.c_str());
    throw InputError({flag, 0}, path, "cannot rename " + temporary + " to it: " + ec.message(), "a writable path");
  }
}

}  // namespace rackscope::io
