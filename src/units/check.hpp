#pragma once
// RACKSCOPE_ASSERT(condition, what): the channel for bugs. Stays on in release builds; where one
// layer relies on a check another layer made (the reader checked connectivity, evaluate() checked
// the degrees), a broken promise throws InternalError instead of reading garbage. The CLI maps it
// to exit 1 and "internal error, please report: <condition> (<what>) at <file>:<line>".
// In units/, the lowest layer, so that every layer can use it.
#include <stdexcept>
#include <string>

namespace rackscope {

class InternalError : public std::logic_error {
 public:
  InternalError(std::string condition, std::string what, std::string file, int line);
  const std::string& condition() const { return condition_; }
  const std::string& file() const { return file_; }
  int line() const { return line_; }

 private:
  std::string condition_, file_;
  int line_;
};

[[noreturn]] void assertion_failed(const char* condition, const char* what, const char* file, int line);

}  // namespace rackscope

#define RACKSCOPE_ASSERT(condition, what) \
  ((condition) ? static_cast<void>(0) : ::rackscope::assertion_failed(#condition, what, __FILE__, __LINE__))
