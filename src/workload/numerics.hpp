#pragma once
// Number formats mixed-precision training keeps whatever precision the GEMMs run in.
#include "hw/precision.hpp"

namespace rackscope::workload {

// Activations, their gradients, and the hidden states collectives carry between ranks stay
// 16-bit (bf16): Micikevicius et al. 2018 (Mixed Precision Training, sec. 3); FP8 recipes keep
// them so between kernels too (Micikevicius et al. 2022, FP8 Formats for Deep Learning, sec. 4).
inline constexpr double activation_bytes = hw::stored_bytes(hw::Precision::bf16);

}  // namespace rackscope::workload
