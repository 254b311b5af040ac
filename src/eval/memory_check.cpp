// Memory first: an execution that does not fit in HBM is not timed.
#include <fmt/format.h>

#include "eval/step_parts.hpp"
#include "workload/memory.hpp"

namespace rackscope::eval {

Report check_memory(const workload::ModelSpec& m, const workload::Execution& e, int seq, bool flash, int micro_batches,
                    const hw::Chip& chip) {
  Report rep;
  rep.memory_per_rank = workload::memory_per_rank(m, e, seq, flash, micro_batches, workload::state_bytes(e));
  rep.memory_per_chip_B = rep.memory_per_rank.total() * chip.ranks_per_chip;
  rep.memory_capacity_B = chip.hbm_capacity_B;
  if (rep.memory_per_chip_B > chip.hbm_capacity_B) {
    rep.reason = workload::Infeasibility::out_of_memory;
    rep.detail = fmt::format("needs {:.1f} GiB per chip, {:.1f} GiB over the {:.1f} GiB of HBM", rep.memory_per_chip_B / (1 << 30),
                             (rep.memory_per_chip_B - chip.hbm_capacity_B) / (1 << 30), chip.hbm_capacity_B / (1 << 30));
    // An unfused profile keeps each layer's s^2 scores; where those alone break the budget, say
    // so: a run made with a fused kernel (the 2023-on stacks) is another profile's to model.
    if (!flash) {
      const double fused = workload::memory_per_rank(m, e, seq, true, micro_batches, workload::state_bytes(e)).total() * chip.ranks_per_chip;
      if (fused <= chip.hbm_capacity_B)
        rep.detail += fmt::format(" (the profile's unfused attention keeps every layer's s^2 scores; under a fused-attention "
                                  "profile, --profile, it would need {:.1f} GiB)",
                                  fused / (1 << 30));
    }
    return rep;  // micro_batches stays 0: nothing is timed
  }
  rep.micro_batches = micro_batches;
  return rep;
}

}  // namespace rackscope::eval
