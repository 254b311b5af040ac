#include "collective/group_shape.hpp"

#include <algorithm>

#include "units/check.hpp"

namespace rackscope::collective {

void GroupShape::add_own(int size, int stride) {
  if (size <= 1) return;
  RACKSCOPE_ASSERT(own_dims < max_dims, "a communicator spans at most max_dims dimensions");
  own[own_dims++] = {size, stride};
}

void GroupShape::add_sibling(int size, int stride) {
  if (size <= 1) return;
  RACKSCOPE_ASSERT(sibling_dims < max_dims, "siblings span at most max_dims dimensions");
  siblings[sibling_dims++] = {size, stride};
}

void GroupShape::set_limit(int l) { limit = l; }

int GroupShape::size() const {
  int n = 1;
  for (int i = 0; i < own_dims; ++i) n *= own[i].size;
  return n;
}

int GroupShape::last_rank() const {
  int last = 0;
  for (int i = 0; i < own_dims; ++i) last += (own[i].size - 1) * own[i].stride;
  return last;
}

namespace {
// The siblings' dimensions in a canonical form, so that grids reaching the same offsets compare
// equal: only dimensions reaching an offset below the limit, each cut to the sizes that do, in
// ascending stride, a dimension continuing the one before it merged into it (64 at stride 1 then 4
// at stride 64 is 256 at stride 1: TP 64 x PP 4 and TP 32 x PP 8 inside one rack are the same
// siblings for a DP group). The offsets below the limit are the sums of any order of the
// dimensions, so the set is the grid's; materialize() lists it in ascending order.
int live_siblings(const GroupShape& s, GroupShape::Dim* out) {
  int n = 0;
  for (int i = 0; i < s.sibling_dims; ++i) {
    GroupShape::Dim d = s.siblings[i];
    if (d.stride >= s.limit) continue;
    d.size = static_cast<int>(std::min<long long>(d.size, (s.limit - 1) / d.stride + 1));
    out[n++] = d;
  }
  std::sort(out, out + n, [](const GroupShape::Dim& a, const GroupShape::Dim& b) { return a.stride < b.stride; });
  int m = 0;
  for (int i = 0; i < n; ++i) {
    if (m > 0 && static_cast<long long>(out[m - 1].size) * out[m - 1].stride == out[i].stride)
      out[m - 1].size = static_cast<int>(std::min<long long>(static_cast<long long>(out[m - 1].size) * out[i].size,
                                                             (s.limit - 1) / out[m - 1].stride + 1));
    else
      out[m++] = out[i];
  }
  return m;
}
}  // namespace

bool GroupShape::operator==(const GroupShape& o) const {
  if (own_dims != o.own_dims || !std::equal(own, own + own_dims, o.own)) return false;
  Dim a[max_dims], b[max_dims];
  const int na = live_siblings(*this, a), nb = live_siblings(o, b);
  return na == nb && std::equal(a, a + na, b) && (na == 0 || limit == o.limit);
}

uint64_t GroupShape::hash() const {
  // FNV-1a over the dimensions that matter (those operator== compares).
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](int x) { h = (h ^ static_cast<uint64_t>(static_cast<uint32_t>(x))) * 1099511628211ull; };
  for (int i = 0; i < own_dims; ++i) mix(own[i].size), mix(own[i].stride);
  Dim live[max_dims];
  const int n = live_siblings(*this, live);
  mix(-1);
  for (int i = 0; i < n; ++i) mix(live[i].size), mix(live[i].stride);
  if (n > 0) mix(limit);
  return h;
}

Group materialize(const GroupShape& s) {
  // Rank 0, then each dimension's ranks reached from every rank so far (below `limit`).
  auto reach = [](const GroupShape::Dim* dims, int n, long long limit) {
    std::vector<int> ranks = {0};
    for (int i = 0; i < n; ++i) {
      std::vector<int> next;
      for (int base : ranks)
        for (int k = 0; k < dims[i].size && (k == 0 || base + static_cast<long long>(k) * dims[i].stride < limit); ++k)
          next.push_back(base + k * dims[i].stride);
      ranks = std::move(next);
    }
    return ranks;
  };
  Group g;
  g.endpoints = reach(s.own, s.own_dims, static_cast<long long>(1) << 62);
  GroupShape::Dim live[GroupShape::max_dims];
  const int n = live_siblings(s, live);
  g.concurrent = reach(live, n, s.limit);
  std::sort(g.concurrent.begin(), g.concurrent.end());
  g.concurrent.erase(g.concurrent.begin());  // offset 0: the group itself
  return g;
}

}  // namespace rackscope::collective
