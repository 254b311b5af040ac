// What a packaging technology allows in a given year, against what a chip asks of it.
#include <fmt/format.h>

#include <functional>

#include "hw/package_parts.hpp"

namespace rackscope::hw {
namespace {
std::string mm2(double m2) { return fmt::format("{:.0f} mm^2", m2 * 1e6); }

void add(PackageSheet& s, std::string key, long line, std::string problem, std::string valid) {
  s.problems.push_back({std::move(key), std::move(problem), std::move(valid), line});
}
}  // namespace

std::string problem_line(const std::string& chip_file, const PackageProblem& p) {
  std::string out = chip_file;
  if (p.line > 0) out += ":" + std::to_string(p.line);
  out += ": ";
  if (!p.key.empty()) out += p.key + ": ";
  out += p.problem;
  if (!p.valid.empty()) out += " (valid: " + p.valid + ")";
  return out;
}

const PackageLimits* limits_in(const Packaging& p, int year) {
  const PackageLimits* found = nullptr;
  for (const auto& l : p.limits)
    if (l.year <= year) found = &l;
  return found;
}

void check_fit(const PackagedChipSpec& spec, PackageSheet& s) {
  const Packaging& pkg = spec.packaging;
  const PackageLimits* lim = limits_in(pkg, spec.year);
  if (!lim) {
    add(s, "year", 0, fmt::format("{} has no roadmap entry for {}", pkg.name, spec.year),
        fmt::format("a year from {}", pkg.limits.front().year));
  } else {
    s.max_area_m2 = lim->area_m2;
    if (s.package_area_m2 > lim->area_m2)
      add(s, "dies", spec.dies.front().line,
          fmt::format("the package needs {} (dies and HBM {} x placement overhead {:.2f}), over {}'s {} ({:.1f} reticles) in {}",
                      mm2(s.package_area_m2), mm2(s.silicon_area_m2), pkg.placement_overhead, pkg.name, mm2(lim->area_m2),
                      lim->reticles, spec.year),
          fmt::format("at most {}", mm2(lim->area_m2)));
    if (s.hbm_stacks > lim->hbm_sites)
      add(s, "hbm[0].stacks", spec.hbm.empty() ? 0 : spec.hbm.front().line,
          fmt::format("{} HBM stacks, but {} holds at most {} in {}", s.hbm_stacks, pkg.name, lim->hbm_sites, spec.year),
          fmt::format("at most {} HBM sites", lim->hbm_sites));
    if (lim->bridges > 0 && s.bridges > lim->bridges)
      add(s, "die_links", spec.links.empty() ? 0 : spec.links.front().line,
          fmt::format("{} bridges (one per die link and HBM stack), but {} places at most {} in {}", s.bridges, pkg.name,
                      lim->bridges, spec.year),
          fmt::format("at most {} bridges", lim->bridges));
    if (spec.bump_pitch_m < lim->min_bump_pitch_m * (1 - 1e-9))
      add(s, "bump_pitch", 0,
          fmt::format("{:.0f} um is below {}'s minimum bump pitch in {}", spec.bump_pitch_m * 1e6, pkg.name, spec.year),
          fmt::format("at least {:.0f} um", lim->min_bump_pitch_m * 1e6));
    // One lithography field is the largest die that can be exposed without stitching.
    const double reticle_m2 = lim->area_m2 / lim->reticles;
    for (size_t i = 0; i < spec.dies.size(); ++i)
      if (spec.dies[i].area_m2 > reticle_m2)
        add(s, fmt::format("dies[{}].area", i), spec.dies[i].line,
            fmt::format("a {} die is larger than one reticle ({})", mm2(spec.dies[i].area_m2), mm2(reticle_m2)),
            fmt::format("at most {}", mm2(reticle_m2)));
  }
  // Every compute die must reach every other one through die-to-die links.
  std::vector<int> group(s.dies);
  for (int i = 0; i < s.dies; ++i) group[i] = i;
  std::function<int(int)> root = [&](int i) { return group[i] == i ? i : group[i] = root(group[i]); };
  for (const auto& l : spec.links) group[root(l.a)] = root(l.b);
  for (int i = 1; i < s.dies; ++i)
    if (root(i) != root(0)) {
      add(s, "die_links", spec.links.empty() ? 0 : spec.links.front().line,
          fmt::format("die {} is not joined to die 0 by die-to-die links", i), "links joining every die");
      break;
    }
  s.fits = s.problems.empty();
}

}  // namespace rackscope::hw
