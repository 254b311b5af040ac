#pragma once
// Collective operations and the nccl-tests conventions for reporting them.
#include <optional>
#include <string>
#include <vector>

namespace rackscope::collective {

enum class Op { allreduce, reducescatter, allgather, alltoall, broadcast, sendrecv };
inline constexpr int op_count = static_cast<int>(Op::sendrecv) + 1;  // for tables indexed by op
const std::vector<std::string>& op_names();
std::optional<Op> parse_op(const std::string& name);
std::string op_name(Op op);

// nccl-tests doc/PERFORMANCE.md: busbw = algbw * factor, with factor 2(n-1)/n for all-reduce,
// (n-1)/n for reduce-scatter, all-gather and all-to-all, 1 for broadcast and send/recv. The size
// S is the whole buffer (for reduce-scatter / all-gather: the total array, recvcount*n).
double busbw_factor(Op op, int ranks);

struct Dtype {
  std::string name;
  int bytes = 4;
};
std::optional<Dtype> parse_dtype(const std::string& name);
const std::vector<std::string>& dtype_names();

}  // namespace rackscope::collective
