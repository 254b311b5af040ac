#pragma once
// Runs a step of an MPI command, turning what it throws into this rank's failure, so that
// dist::agree() can end every rank with the same one-line message and exit code.
#include <exception>
#include <optional>
#include <string>

#include "dist/comm.hpp"
#include "io/input_error.hpp"
#include "units/check.hpp"

namespace rackscope::cli {

template <class F>
std::optional<dist::Failure> attempt(F&& f) {
  try {
    f();
  } catch (const io::InputError& e) {
    return dist::Failure{2, e.what()};
  } catch (const InternalError& e) {
    return dist::Failure{1, std::string("rackscope: ") + e.what()};
  } catch (const std::exception& e) {
    return dist::Failure{1, std::string("rackscope: internal error: ") + e.what()};
  }
  return std::nullopt;
}

}  // namespace rackscope::cli
