#pragma once
// Command-line mistakes as rackscope's one line `where: what: problem (valid: ...)`, never in
// CLI11's own words: an unknown subcommand (with the list), a missing or unexpected argument, an
// option without its value, an integer out of its range.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace rackscope::cli {

// A check for an integer option: the whole text an integer within [min, max]. Its failure reads
// `VALUE: is out of range (valid: an integer from MIN to MAX)`; CLI11 puts the option in front.
CLI::Validator integer_range(int64_t min, int64_t max);

// The line for a parse error of `app` on this command line.
std::string parse_error_line(const CLI::App& app, const CLI::ParseError& e, int argc, char** argv);

}  // namespace rackscope::cli
