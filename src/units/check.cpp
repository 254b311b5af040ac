#include "units/check.hpp"

namespace rackscope {
namespace {
// __FILE__ is the path the build passed to the compiler (e.g. ../src/eval/x.cpp): keep it from src/.
std::string source_path(const std::string& file) {
  const size_t at = file.rfind("src/");
  return at == std::string::npos ? file : file.substr(at);
}
}  // namespace

InternalError::InternalError(std::string condition, std::string what, std::string file, int line)
    : std::logic_error("internal error, please report: " + condition + " (" + what + ") at " + source_path(file) + ":" +
                       std::to_string(line)),
      condition_(std::move(condition)),
      file_(source_path(file)),
      line_(line) {}

void assertion_failed(const char* condition, const char* what, const char* file, int line) {
  throw InternalError(condition, what, file, line);
}

}  // namespace rackscope
