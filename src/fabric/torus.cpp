#include <cmath>

#include "fabric/fabric_impl.hpp"

namespace rackscope::fabric {

// A torus of any dimensions with wraparound. Each chip has a + and a - port per dimension;
// in a dimension of size 2 both ports reach the same neighbour, so two parallel links exist
// (as on hardware that cables every port).
void ScaleUpTier::build_torus(const ClusterShape& s, GraphParts& g, const hw::TorusSpec& t, int rack) {
  const int n = s.chips_per_rack;
  const int nd = static_cast<int>(t.dims.size());
  if (rack == 0) {
    dims_ = t.dims;
    torus_next_.assign(static_cast<size_t>(n) * nd, {-1, -1});
  }
  const int base = rack * n;
  int stride = 1;
  for (int d = 0; d < nd; ++d) {
    const int k = t.dims[d];
    if (k > 1) {
      for (int local = 0; local < n; ++local) {
        const int coord = (local / stride) % k;
        // One physical link per chip per dimension, to its + neighbour; a ring of 2 still gets
        // both ports' links (the + and the wraparound link).
        const int plus = local + (((coord + 1) % k) - coord) * stride;
        const int id = g.add_link(base + local, base + plus, t.link_bandwidth_Bps[d], t.link_latency_s[d], Tier::scale_up);
        if (rack == 0) {
          torus_next_[static_cast<size_t>(local) * nd + d].first = id;
          torus_next_[static_cast<size_t>(plus) * nd + d].second = id + 1;
        }
      }
    }
    stride *= k;
  }
}

// Dimension-order routing: correct dimension 0 first, then 1, ...; in each dimension go the
// short way round, splitting evenly between both ways when they tie (k even, distance k/2).
void ScaleUpTier::route_torus(int src_local, int dst_local, int rack, const std::vector<Link>& links, double bytes, PhaseLoads& loads,
                              Route& r) const {
  const int nd = static_cast<int>(dims_.size());
  const int shift = rack * rack_links_;
  int stride = 1;
  int cur = src_local;
  double latency = 0;
  for (int d = 0; d < nd; ++d) {
    const int k = dims_[d];
    const int from = (cur / stride) % k;
    const int to = (dst_local / stride) % k;
    if (from != to) {
      const int forward = ((to - from) % k + k) % k;
      const int backward = k - forward;
      auto walk = [&](int steps, bool plus, double share) {
        int v = cur;
        double lat = 0;
        for (int s = 0; s < steps; ++s) {
          const auto& next = torus_next_[static_cast<size_t>(v) * nd + d];
          const int link = plus ? next.first : next.second;
          loads.add(link + shift, bytes * share);
          lat += links[link].latency_s;
          const int c = (v / stride) % k;
          v += ((((plus ? c + 1 : c - 1) % k + k) % k) - c) * stride;
        }
        return lat;
      };
      if (forward < backward) latency += walk(forward, true, 1.0), r.hops += forward;
      else if (backward < forward) latency += walk(backward, false, 1.0), r.hops += backward;
      else latency += std::max(walk(forward, true, 0.5), walk(backward, false, 0.5)), r.hops += forward;
      cur += (to - from) * stride;
    }
    stride *= k;
  }
  r.latency_s += latency;
}

}  // namespace rackscope::fabric
