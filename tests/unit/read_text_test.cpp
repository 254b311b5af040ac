// The one way inputs are read and outputs checked: special files, the size cap, echoed text,
// outputs that are inputs. Each case here once hung, crashed or destroyed an input (issue 15).
#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "io/input_error.hpp"
#include "io/input_file.hpp"
#include "io/output_path.hpp"
#include "io/read_text.hpp"
#include "sweep/layout.hpp"
#include "sweep/report.hpp"
#include "units/quantity.hpp"

namespace fs = std::filesystem;
using namespace rackscope;

namespace {
// A fresh folder under the system's temporary one, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "rackscope-test-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

std::string load_error(const std::string& path) {
  io::InputFiles files;
  try {
    files.load(path, "cluster", {});
  } catch (const io::InputError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("inputs: a FIFO is refused without opening it (opening would block for ever)") {
  TempDir d;
  const std::string fifo = (d.path / "fifo.toml").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(load_error(fifo) == "command line: cluster: cannot read file '" + fifo +
                                "': is a FIFO, not a regular file (valid: a path to an existing cluster file)");
}

TEST_CASE("inputs: /dev/zero and folders are refused, not read") {
  CHECK(load_error("/dev/zero") ==
        "command line: cluster: cannot read file '/dev/zero': is a character device, not a regular file (valid: a path to an existing cluster file)");
  TempDir d;
  CHECK(load_error(d.path.string()).find("is a folder, not a regular file") != std::string::npos);
  CHECK(load_error((d.path / "missing.toml").string()) ==
        "command line: cluster: cannot read file '" + (d.path / "missing.toml").string() + "' (valid: a path to an existing cluster file)");
}

TEST_CASE("inputs: a file over the size cap is refused before it is read") {
  TempDir d;
  const std::string big = (d.path / "big.toml").string();
  { std::ofstream(big) << "kind = \"cluster\"\n"; }
  fs::resize_file(big, io::kMaxInputBytes + 1);
  CHECK(load_error(big).find("is 16777217 bytes, over the 16 MiB limit for an input file") != std::string::npos);
  std::string why;
  CHECK_FALSE(io::read_input_text(big, why));
  fs::resize_file(big, io::kMaxInputBytes);
  CHECK(io::read_input_text(big, why)->size() == io::kMaxInputBytes);
}

TEST_CASE("messages: control characters escaped, long parts shortened at both ends") {
  CHECK(io::printable("a\nb\tc\x07") == "a\\nb\\tc\\x07");
  const std::string key(1 << 20, 'k');
  const std::string line = io::InputError({"f.toml", 3}, key, "unknown key").what();
  CHECK(line.size() < 400);
  CHECK(line.find("[... 1048336 bytes ...]") != std::string::npos);
  CHECK(line.rfind("f.toml:3: kkk", 0) == 0);
  CHECK(line.find(": unknown key") != std::string::npos);
  // UTF-8 is never cut inside a character.
  std::string wide;
  for (int i = 0; i < 200; ++i) wide += "\xC2\xB5";
  const std::string cut = io::printable(wide);
  CHECK(cut.find("\xC2[") == std::string::npos);
}

TEST_CASE("units: every dimension has a physical range; beyond it is refused, zero is left to the readers") {
  std::string why;
  CHECK_FALSE(units::parse("1e308 TB/s", units::Dimension::bandwidth, &why));
  CHECK(why == "\"1e308 TB/s\" is outside the physical range 1 KB/s to 1000 TB/s");
  CHECK_FALSE(units::parse("1e400 GB/s", units::Dimension::bandwidth, &why));
  CHECK(why == "bad number \"1e400\"");
  CHECK(*units::parse("1000 TB/s", units::Dimension::bandwidth) == 1e15);
  CHECK(*units::parse("0 us", units::Dimension::time) == 0);
  CHECK_FALSE(units::parse("1e-20 s", units::Dimension::time, &why));
  CHECK_FALSE(units::parse("2e6 TB", units::Dimension::bytes, &why));
  CHECK_FALSE(units::parse("1e20 TFLOP/s", units::Dimension::flops_rate, &why));
  CHECK_FALSE(units::parse("1e12 MW", units::Dimension::power, &why));
  CHECK(*units::parse("-5 GB/s", units::Dimension::bandwidth) == -5e9);  // the reader says "must be positive"
}

TEST_CASE("outputs: an input (by identity, not spelling), a folder, an empty path or a missing folder is refused") {
  TempDir d;
  const std::string input = d.file("spec.toml", "kind = \"sweep\"\n");
  auto error = [&](const std::string& path) {
    try {
      io::check_output("-o", path, {input});
    } catch (const io::InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(error(input).find("is an input of this run") != std::string::npos);
  CHECK(error((d.path / "." / "spec.toml").string()) ==
        "-o: " + (d.path / "." / "spec.toml").string() + ": is an input of this run ('" + input +
            "') (valid: a new or regular file in a writable folder, not one of the inputs)");
  const std::string link = (d.path / "link.toml").string();
  REQUIRE(symlink(input.c_str(), link.c_str()) == 0);
  CHECK(error(link).find("is an input of this run") != std::string::npos);
  CHECK(error(d.path.string()).find("is a folder") != std::string::npos);
  CHECK(error("").find("empty path") != std::string::npos);
  CHECK(error((d.path / "no" / "out.h5").string()).find("does not exist") != std::string::npos);
  CHECK(error((d.path / "out.h5").string()).empty());
  // Written through a temporary and renamed: the input is untouched when the path differs.
  io::write_replacing("--dot", (d.path / "out.dot").string(), "graph {}\n");
  CHECK(fs::file_size(d.path / "out.dot") == 9);
  CHECK_FALSE(fs::exists(d.path / "out.dot.tmp"));
  CHECK(fs::file_size(input) == 15);
}

TEST_CASE("sweep digest: by content, not by the spelling of paths") {
  sweep::Spec spec;
  spec.objectives.push_back({"tokens_per_s", true});
  const sweep::Layout layout(spec);
  const std::map<std::string, std::string> a = {{"spec.toml", "x"}, {"m.toml", "y"}};
  const std::map<std::string, std::string> b = {{"./spec.toml", "x"}, {"/elsewhere/m.toml", "y"}};
  const std::map<std::string, std::string> c = {{"spec.toml", "x"}, {"m.toml", "z"}};
  CHECK(sweep::digest(a, layout) == sweep::digest(b, layout));
  CHECK(sweep::digest(a, layout) != sweep::digest(c, layout));
}
