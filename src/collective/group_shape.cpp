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
// Siblings' dimensions that reach any offset below the limit (the others add only offset 0).
int live_siblings(const GroupShape& s, GroupShape::Dim* out) {
  int n = 0;
  for (int i = 0; i < s.sibling_dims; ++i)
    if (s.siblings[i].stride < s.limit) out[n++] = s.siblings[i];
  return n;
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
  g.concurrent = reach(s.siblings, s.sibling_dims, s.limit);
  g.concurrent.erase(g.concurrent.begin());
  return g;
}

}  // namespace rackscope::collective
