// libFuzzer target for one TOML input kind (FUZZ_KIND, set per target in fuzz/meson.build).
// The fuzzed bytes replace the text of one file of that kind inside a real, shipped input tree
// (a cluster, a model or a sweep spec), which is then read as the CLI reads it: every reader
// runs in the context it runs in for real, and files the fuzzed one names still resolve.
// A reader may reject its input only with io::InputError (the one-line message, exit 2);
// anything else it throws, and any crash, leak or sanitizer report, is a finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include <toml++/toml.h>

#include "io/cluster_reader.hpp"
#include "io/input_error.hpp"
#include "io/model_reader.hpp"
#include "io/sweep_inputs.hpp"
#include "io/sweep_reader.hpp"

#ifndef FUZZ_KIND
#error "FUZZ_KIND names the input kind this target fuzzes"
#endif

using namespace rackscope;

namespace {
const std::string kind = FUZZ_KIND;
const std::string source = RACKSCOPE_SOURCE_DIR;

// The top-level file read each run and what kind it is.
struct Top {
  std::string path, kind;
};

Top top_for(const std::string& k) {
  if (k == "model") return {source + "/workloads/models/llama-3.1-405b.toml", "model"};
  if (k == "sweep") return {source + "/workloads/sweeps/cowos-vs-emib.toml", "sweep"};
  // A cluster names every other kind: rack, chip, runtime, compute profile, packaging, HBM,
  // rack and cluster economics, reliability (trn3: a chip built from dies on a package).
  return {source + "/topologies/clusters/trn3-ultraserver-gen2.toml", "cluster"};
}

void read_top(const Top& top, io::InputFiles& files) {
  const io::Overrides none;
  if (top.kind == "model") io::read_model(top.path, none, files);
  else if (top.kind == "sweep") io::load_inputs(io::read_sweep(top.path, files));
  else io::read_cluster(top.path, none, files);
}

// The resolved path of the file of `kind` the top file reads (found by reading it once).
std::string path_of_kind(const Top& top) {
  if (kind == top.kind) return top.path;
  io::InputFiles files;
  read_top(top, files);
  for (const auto& f : files.files())
    if (f->table && f->table->at_path("kind").value_or(std::string()) == kind) return f->path;
  std::fprintf(stderr, "fuzz: no %s file is read from %s\n", kind.c_str(), top.path.c_str());
  std::abort();
}

Top top;
std::string target;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  top = top_for(kind);
  target = path_of_kind(top);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto texts = std::make_shared<std::map<std::string, std::string>>();
  (*texts)[target] = std::string(reinterpret_cast<const char*>(data), size);
  io::InputFiles files;
  files.provide(texts);
  try {
    read_top(top, files);
  } catch (const io::InputError&) {
    // The expected rejection: one line naming file, line and key.
  }
  return 0;
}
