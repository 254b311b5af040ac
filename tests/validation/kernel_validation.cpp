// Replays published kernel microbenchmarks (GEMM TFLOP/s against size, FlashAttention forward and
// backward TFLOP/s, STREAM bandwidth) through the shipped compute profiles and fails when a profile
// drifts beyond a row's tolerance. These are the measurements the profiles are calibrated from, so
// a profile edited without its source fails here. Rows and citations: data/kernel_calibration.csv.
//
// Usage: kernel_validation SOURCE_DIR
// A row passes when model/measured - 1 lies in [low, high]. Rows that are a best case over many
// shapes (a maximum-achievable-FLOPS search, a hand-tuned kernel) are upper bounds: high = 0.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "compute/roofline.hpp"
#include "eval/step_parts.hpp"
#include "io/chip_reader.hpp"
#include "io/input_file.hpp"
#include "io/model_reader.hpp"

using namespace rackscope;

namespace {

struct Row {
  std::string source, chip, kernel, precision, label;
  double m = 0, n = 0, k = 0, measured = 0, low = 0, high = 0;
};

// The CSV has no quoted commas except in the first column (source), which is quoted.
std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) out.push_back(cell), cell.clear();
    else cell += c;
  }
  out.push_back(cell);
  return out;
}

std::vector<Row> read_rows(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // source,chip,kernel,precision,m,n,k,measured,low,high,label
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto c = split_csv(line);
    if (c.size() != 11) throw std::runtime_error("kernel_calibration.csv: 11 columns expected: " + line);
    rows.push_back({c[0], c[1], c[2], c[3], c[10], std::stod(c[4]), std::stod(c[5]), std::stod(c[6]), std::stod(c[7]),
                    std::stod(c[8]), std::stod(c[9])});
  }
  return rows;
}

workload::Precision precision(const std::string& name) {
  if (name == "fp8") return workload::Precision::fp8;
  return workload::Precision::bf16;  // bf16 and fp16 share the dense tensor rate on every shipped chip
}

// The model's rate for one row, in the row's unit (TFLOP/s, or TB/s for stream).
double modeled(const Row& row, const hw::Chip& chip) {
  const compute::Profile& p = chip.compute;
  const compute::RankRates r = eval::rank_rates(chip, precision(row.precision), precision(row.precision));
  const double bytes_per = row.precision == "fp8" ? 1 : 2;
  if (row.kernel == "gemm") {
    // m x k by k x n: both inputs read, the output written in 16 bits (cuBLASLt FP8 writes BF16).
    const double bytes = bytes_per * (row.m * row.k + row.k * row.n) + 2 * row.m * row.n;
    return 2 * row.m * row.n * row.k / compute::gemm_time(p, r, row.m, row.n, row.k, bytes) / 1e12;
  }
  if (row.kernel == "stream") return row.m / compute::elementwise_time(p, r, row.m) / 1e12;  // m: bytes moved
  // Attention: m = batch x heads, n = sequence, k = head dim. FLOPs as FlashAttention's benchmarks
  // count them: forward 4 m n^2 k (halved under the causal mask), backward 2.5 times that, fwd+bwd
  // 3.5 times; `attention_fwd_causal` and `attention_bwd_causal` rows are the causal figures, the
  // others without a mask.
  const double fwd_flops = 4 * row.m * row.n * row.n * row.k;
  const double qkvo_bytes = 4 * row.m * row.n * row.k * 2;
  if (row.kernel == "attention_fwd_causal")
    return fwd_flops / 2 / compute::attention_time(p, r, fwd_flops / 2, qkvo_bytes, 1, row.n, true, row.k) / 1e12;
  const double fwd = compute::attention_time(p, r, fwd_flops, qkvo_bytes, 1, row.n, false, row.k);
  const double factor = eval::attention_backward(p, row.n, row.k);
  const double bwd = compute::attention_time(p, r, factor * fwd_flops, factor * qkvo_bytes, 1, row.n, false, row.k);
  if (row.kernel == "attention_fwd") return fwd_flops / fwd / 1e12;
  if (row.kernel == "attention_bwd") return 2.5 * fwd_flops / bwd / 1e12;
  // Under the causal mask the backward runs at its unmasked rate times what the mask keeps of the
  // forward's (the profiles' causal curve), as the step model times it (eval/layer_cost.cpp).
  if (row.kernel == "attention_bwd_causal")
    return 2.5 * fwd_flops / 2 / compute::attention_time(p, r, factor * fwd_flops / 2, factor * qkvo_bytes, 1, row.n, true, row.k) / 1e12;
  if (row.kernel == "attention_fwd_bwd") return 3.5 * fwd_flops / (fwd + bwd) / 1e12;
  throw std::runtime_error("kernel_calibration.csv: unknown kernel " + row.kernel);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: kernel_validation SOURCE_DIR\n");
    return 2;
  }
  const std::string root = argv[1];
  try {
    const auto rows = read_rows(root + "/tests/validation/data/kernel_calibration.csv");
    std::printf("%-58s %10s %10s %8s  %s\n", "kernel row", "measured", "model", "error", "allowed");
    bool ok = true;
    for (const Row& row : rows) {
      // `chip` or `chip/profile`: the chip with another of the shipped compute profiles.
      io::Overrides overrides;
      io::InputFiles files;
      const size_t slash = row.chip.find('/');
      hw::Chip chip = io::read_chip(files.load(root + "/topologies/chips/" + row.chip.substr(0, slash) + ".toml", "chip", overrides),
                                    overrides, files);
      if (slash != std::string::npos)
        chip.compute = io::read_compute_profile(
            files.load(root + "/topologies/compute/" + row.chip.substr(slash + 1) + ".toml", "compute_profile", overrides));
      const double model = modeled(row, chip);
      const double err = model / row.measured - 1;
      const bool pass = err >= row.low - 1e-9 && err <= row.high + 1e-9;
      ok = ok && pass;
      std::printf("%-58s %10.1f %10.1f %+7.1f%%  [%+.0f%%, %+.0f%%]%s\n", (row.chip + " " + row.label).substr(0, 58).c_str(), row.measured,
                  model, 100 * err, 100 * row.low, 100 * row.high, pass ? "" : "  FAIL");
    }
    std::printf("-> %zu kernel rows %s\n", rows.size(), ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kernel_validation: %s\n", e.what());
    return 1;
  }
}
