// Input errors checked in process, where the readers throw them: every bad cluster under
// tests/inputs/bogus/ that `topo` reads (with its `--set` overrides) and every bad model that
// `step` reads must throw io::InputError with exactly the line the case's `expected` file holds,
// the same line check_bogus.py sees the rackscope binary print.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fabric/fabric.hpp"
#include "io/cluster_reader.hpp"
#include "io/input_error.hpp"
#include "io/model_reader.hpp"

using namespace rackscope;
namespace fs = std::filesystem;

namespace {
std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

// The InputError text `read` throws, or "" when it throws none.
template <class F>
std::string error_of(F&& read) {
  try {
    read();
  } catch (const io::InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("input errors: the readers throw the bogus cases' exact lines") {
  const fs::path bogus = fs::path(RACKSCOPE_SOURCE_DIR) / "tests" / "inputs" / "bogus";
  // The limit the scale-* cases are written against, as check_bogus.py sets it.
  setenv("RACKSCOPE_MEMORY_LIMIT", "4 GiB", 1);
  int clusters = 0, models = 0;
  for (const auto& entry : fs::directory_iterator(bogus)) {
    if (!entry.is_directory()) continue;
    const std::string dir = entry.path().string();
    std::istringstream cmd(replace_all(read_text(entry.path() / "cmd"), "{dir}", dir));
    std::string expected = replace_all(read_text(entry.path() / "expected"), "{dir}", dir);
    while (!expected.empty() && expected.back() == '\n') expected.pop_back();
    std::vector<std::string> args;
    for (std::string a; cmd >> a;) args.push_back(a);
    if (args.size() >= 2 && args[0] == "topo") {
      // `topo CLUSTER [--set K=V]...` reads the cluster and builds its fabric, nothing else.
      bool only_sets = args.size() % 2 == 0;
      io::Overrides sets;
      for (size_t i = 2; only_sets && i + 1 < args.size(); i += 2) only_sets = args[i] == "--set";
      if (!only_sets) continue;
      ++clusters;
      CAPTURE(dir);
      CHECK(error_of([&] {
              for (size_t i = 3; i < args.size(); i += 2) sets.add(args[i]);
              io::InputFiles files;
              const fabric::Fabric f(io::read_cluster(args[1], sets, files));
            }) == expected);
    } else if (args.size() >= 3 && args[0] == "step" && fs::path(args[2]).parent_path() == entry.path()) {
      // A bad model beside the case: read_model alone throws the line.
      ++models;
      CAPTURE(dir);
      CHECK(error_of([&] {
              io::InputFiles files;
              io::read_model(args[2], {}, files);
            }) == expected);
    }
  }
  CHECK(clusters > 0);
  CHECK(models > 0);
}
