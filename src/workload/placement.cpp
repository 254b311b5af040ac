#include "workload/placement.hpp"

#include <map>

namespace rackscope::workload {

Placement place(const Execution& e) {
  // Sizes of the grid dimensions; EP is the inner part of DP (Megatron's expert parallelism).
  const std::map<std::string, int> size = {{"tp", e.tp}, {"cp", e.cp}, {"ep", e.ep}, {"dp", e.dp / e.ep}, {"pp", e.pp}};
  std::map<std::string, int> stride;
  int s = 1;
  for (const auto& name : e.order) {
    stride[name] = s;
    s *= size.at(name);
  }
  auto group = [&](std::vector<std::string> dims) {
    collective::Group g;
    g.endpoints = {0};
    for (const auto& d : dims) {
      std::vector<int> next;
      for (int base : g.endpoints)
        for (int k = 0; k < size.at(d); ++k) next.push_back(base + k * stride.at(d));
      g.endpoints = next;
    }
    return g;
  };
  Placement p;
  p.tp = group({"tp"});
  p.cp = group({"cp"});
  p.ep = group({"ep"});
  p.dp = group({"ep", "dp"});
  p.pp_pair.endpoints = {0};
  if (e.pp > 1) p.pp_pair.endpoints.push_back(stride.at("pp"));
  return p;
}

}  // namespace rackscope::workload
