#pragma once
// Number formats mixed-precision training keeps whatever precision the GEMMs run in.
#include "hw/precision.hpp"

namespace rackscope::workload {

// Activations, their gradients, and the hidden states collectives carry between ranks stay
// 16-bit (bf16): Micikevicius et al. 2018 (Mixed Precision Training, sec. 3); FP8 recipes keep
// them so between kernels too (Micikevicius et al. 2022, FP8 Formats for Deep Learning, sec. 4).
inline constexpr double activation_bytes = hw::stored_bytes(hw::Precision::bf16);
// A dropout keeps which elements it dropped as a bool tensor for its backward: 1 byte each
// (Korthikanti et al. 2022, sec. 4.1: "dropout mask ... 1 byte").
inline constexpr double dropout_mask_bytes = 1;

}  // namespace rackscope::workload
