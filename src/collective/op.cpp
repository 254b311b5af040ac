#include "collective/op.hpp"

namespace rackscope::collective {

const std::vector<std::string>& op_names() {
  static const std::vector<std::string> names = {"allreduce", "reducescatter", "allgather", "alltoall", "broadcast", "sendrecv"};
  return names;
}

std::optional<Op> parse_op(const std::string& name) {
  const auto& names = op_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<Op>(i);
  return std::nullopt;
}

std::string op_name(Op op) { return op_names()[static_cast<size_t>(op)]; }

double busbw_factor(Op op, int ranks) {
  const double n = ranks;
  switch (op) {
    case Op::allreduce: return 2.0 * (n - 1) / n;
    case Op::reducescatter:
    case Op::allgather:
    case Op::alltoall: return (n - 1) / n;
    case Op::broadcast:
    case Op::sendrecv: return 1.0;
  }
  return 1.0;
}

const std::vector<std::string>& dtype_names() {
  static const std::vector<std::string> names = {"fp32", "bf16", "fp16", "fp8", "int8"};
  return names;
}

std::optional<Dtype> parse_dtype(const std::string& name) {
  if (name == "fp32") return Dtype{name, 4};
  if (name == "bf16" || name == "fp16") return Dtype{name, 2};
  if (name == "fp8" || name == "int8") return Dtype{name, 1};
  return std::nullopt;
}

}  // namespace rackscope::collective
