#include "cli/parse_errors.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <regex>
#include <vector>

#include "io/did_you_mean.hpp"
#include "io/input_error.hpp"

namespace rackscope::cli {
namespace {
std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

// The subcommand named on the command line, or "" when none is.
std::string chosen(const std::vector<std::string>& names, int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    for (const auto& n : names)
      if (n == argv[i]) return n;
  return {};
}

std::string line(const std::string& where, const std::string& key, const std::string& problem, const std::string& valid) {
  return io::InputError({where, 0}, key, problem, valid).what();
}
}  // namespace

CLI::Validator integer_range(int64_t min, int64_t max) {
  const std::string valid = fmt::format(" (valid: an integer from {} to {})", min, max);
  return CLI::Validator(
      [min, max, valid](std::string& text) -> std::string {
        int64_t v = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        const bool whole = end == text.data() + text.size() && !text.empty();
        if (ec == std::errc::result_out_of_range || (ec == std::errc() && whole && (v < min || v > max)))
          return io::printable(text) + ": is out of range" + valid;
        if (ec != std::errc() || !whole) return io::printable(text) + ": is not an integer" + valid;
        return {};
      },
      fmt::format("INT in [{}, {}]", min, max));
}

std::string parse_error_line(const CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  const std::vector<std::string> names = subcommand_names(app);
  const std::string list = fmt::format("{}", fmt::join(names, ", "));
  const std::string sub = chosen(names, argc, argv);
  if (sub.empty()) {
    if (argc < 2) return line("command line", "", "a subcommand is required", list);
    const std::string word = argv[1];
    const std::string guess = io::closest_match(word, names);
    if (!word.empty() && word.front() == '-') return line("command line", word, "unknown option before the subcommand", list);
    return line("command line", word, "unknown subcommand" + (guess.empty() ? "" : "; did you mean '" + guess + "'?"), list);
  }
  const std::string help = "rackscope " + sub + " --help lists its arguments";
  const std::string what = e.what();
  std::smatch m;
  // CLI11's wordings (CLI11 2.x), each turned into the one-line form.
  if (std::regex_match(what, m, std::regex("The following arguments? (?:was|were) not expected: (.*)")))
    return line("command line", m[1], "unexpected argument", help);
  if (std::regex_match(what, m, std::regex("(\\S+) is required")))
    return line("command line", m[1], "missing required argument", help);
  if (std::regex_match(what, m, std::regex("(\\S+): At Most 1 required but received \\d+")))
    return line("command line", m[1], "given more than once", help);
  if (std::regex_match(what, m, std::regex("(\\S+) excludes (\\S+)")))
    return line("command line", m[1], "cannot be given with " + m[2].str() + ": they are alternatives", help);
  if (std::regex_match(what, m, std::regex("(\\S+): \\d+ required .* missing")))
    return line(m[1], "", "needs a value", help);
  if (e.get_name() == "ValidationError" && std::regex_match(what, m, std::regex("(-[^:]+): ([\\s\\S]*)")))
    return m[2].str().find("(valid: ") != std::string::npos ? io::printable(m[1].str()) + ": " + m[2].str()
                                                            : line(m[1], "", m[2], help);
  if (std::regex_match(what, m, std::regex("(?:Could not convert: |The value (.*) is not an allowed value for )(\\S+)(?: = (.*))?")))
    return line(m[2], m[1].matched ? m[1].str() : m[3].str(), "not a valid value", help);
  return line("command line", "", what, help);
}

}  // namespace rackscope::cli
