#pragma once
// The number formats a chip computes in: one row each. Chip sheets state a rate per row (the
// TOML key is the name), `step --precision` and the sweep's precision axis offer the selectable
// rows, and the weight bytes of a layer's GEMMs come from the bytes per element. Adding a format
// is one row here plus its physics.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rackscope::hw {

enum class Precision { bf16, fp8, mxfp8, mxfp4, fp32 };  // ids: positions in precisions()

struct PrecisionInfo {
  Precision id;
  const char* name;       // TOML key of the chip rate, --precision value, sweep choice
  double element_bytes;   // one element without its scale
  int block;              // elements sharing one 8-bit (E8M0) scale; 0: no block scale
  bool selectable;        // a training precision (16-bit master copy in memory, see memory.hpp)
  bool rate_required;     // every chip states this rate
  // Gradients and optimizer states may be kept (and gradients reduced) in it: fp32, or bf16 as
  // Megatron's --grad-reduce-in-bf16 and NeuronX's BF16 optimizer with stochastic rounding do.
  bool state_format;
};

// OCP Microscaling Formats (MX) v1.0, Table 1: blocks of 32 elements share one E8M0 scale.
inline constexpr std::array<PrecisionInfo, 5> precision_table = {{
    {Precision::bf16, "bf16", 2, 0, true, true, true},
    {Precision::fp8, "fp8", 1, 0, true, false, false},
    {Precision::mxfp8, "mxfp8", 1, 32, true, false, false},
    {Precision::mxfp4, "mxfp4", 0.5, 32, true, false, false},
    // The chip sheets' vector / accumulation rate; training in fp32 is not modeled.
    {Precision::fp32, "fp32", 4, 0, false, false, true},
}};
inline constexpr std::size_t precision_count = precision_table.size();

constexpr bool ids_are_positions() {
  for (std::size_t i = 0; i < precision_count; ++i)
    if (static_cast<std::size_t>(precision_table[i].id) != i) return false;
  return true;
}
static_assert(ids_are_positions(), "precision_table rows must be in Precision id order");

constexpr const PrecisionInfo& info(Precision p) { return precision_table[static_cast<std::size_t>(p)]; }
constexpr const char* precision_name(Precision p) { return info(p).name; }
// Bytes per element as stored, the block's one-byte scale shared among its elements.
constexpr double stored_bytes(Precision p) {
  const PrecisionInfo& i = info(p);
  return i.block ? i.element_bytes + 1.0 / i.block : i.element_bytes;
}

// 16-bit elements (bf16): GEMMs a compute profile may rate apart (its bf16_factor).
constexpr bool sixteen_bit(Precision p) { return info(p).element_bytes == 2; }

// The selectable precisions, in table order, and their names joined for help and `valid:` lists.
std::vector<Precision> selectable_precisions();
std::vector<std::string> selectable_precision_names();
std::string selectable_precision_list();  // "bf16, fp8, mxfp8, mxfp4"
// A selectable precision by name.
std::optional<Precision> find_selectable_precision(std::string_view name);
// The rows gradients and optimizer states may be kept in, in table order, and their names.
std::vector<Precision> state_formats();
std::vector<std::string> state_format_names();
std::string state_format_list();  // "bf16, fp32"
// GEMMs in an 8-bit or narrower format: inputs are cast (with an amax) before each GEMM.
constexpr bool narrow_gemm(Precision p) { return info(p).element_bytes < 2; }

// A value per precision (a chip's dense peak FLOP/s: 0 where it has no such path).
struct PrecisionRates {
  std::array<double, precision_count> value{};
  double& operator[](Precision p) { return value[static_cast<std::size_t>(p)]; }
  double operator[](Precision p) const { return value[static_cast<std::size_t>(p)]; }
};

}  // namespace rackscope::hw
