#include "cli/size_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <tuple>

#include "cli/attempt.hpp"
#include "cli/commands.hpp"
#include "cli/size_json.hpp"
#include "units/quantity.hpp"

namespace rackscope::cli {
namespace {

// Screening on every rank's share of the units, gathered and shared with every rank.
std::vector<size::Screened> screen_all(size::Search& search, const dist::Session& mpi) {
  const auto units = search.screening_units();
  std::string mine;
  for (size_t i = mpi.rank(); i < units.size(); i += mpi.size()) {
    const auto s = search.screen(units[i]);
    mine += fmt::format("{} {} {} {} {} {:a} {}\n", s.unit.candidate, s.unit.layout, static_cast<int>(s.unit.recompute.mode), int{s.unit.recompute.moe},
                        int{s.unit.even_split}, s.screening_score, s.reason.empty() ? "-" : s.reason);
  }
  const std::string all = dist::broadcast(dist::gather(mine));
  std::vector<size::Screened> out;
  std::istringstream in(all);
  size::Screened s;
  std::string score, reason;
  int recompute = 0, recompute_moe = 0, even_split = 0;
  while (in >> s.unit.candidate >> s.unit.layout >> recompute >> recompute_moe >> even_split >> score >> reason) {
    s.unit.recompute = {static_cast<workload::Recompute>(recompute), recompute_moe != 0};
    s.unit.even_split = even_split != 0;
    s.screening_score = std::strtod(score.c_str(), nullptr);
    s.reason = reason == "-" ? "" : reason;
    out.push_back(s);
  }
  std::sort(out.begin(), out.end(), [](const size::Screened& a, const size::Screened& b) {
    return std::pair(a.unit.candidate, a.unit.layout) < std::pair(b.unit.candidate, b.unit.layout);
  });
  return out;
}

// Refinement on every rank's share; rank 0 gets every option (others get none).
std::vector<size::Option> refine_all(size::Search& search, const std::vector<size::Screened>& screened, const dist::Session& mpi) {
  const auto units = search.refinement_units(screened);
  std::string mine;
  for (size_t i = mpi.rank(); i < units.size(); i += mpi.size())
    mine += option_json(search.refine(units[i].first, units[i].second)).dump() + "\n";
  const std::string all = dist::gather(mine);
  std::vector<size::Option> out;
  std::istringstream in(all);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(option_from_json(nlohmann::json::parse(line)));
  std::sort(out.begin(), out.end(), [](const size::Option& a, const size::Option& b) {
    return std::tuple(a.candidate, a.objective, a.racks) < std::tuple(b.candidate, b.objective, b.racks);
  });
  return out;
}

}  // namespace

std::vector<size::Candidate> load_candidates(const std::vector<std::string>& paths, const std::vector<std::string>& sets,
                                             io::InputFiles& files) {
  std::vector<size::Candidate> out;
  for (const auto& f : paths.empty() ? default_turnkey_clusters() : paths) {
    size::Candidate c{f, load_cluster(f, sets, files)};
    if (c.spec.rack.chip.compute.file.empty())
      throw io::InputError({c.spec.rack.chip.file, 0}, "compute_profile", "the chip names no compute profile",
                           "compute_profile = \"../compute/CHIP.toml\" in the chip file");
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<dist::Failure> search_on_every_rank(const size::Request& request, const std::vector<size::Candidate>& candidates,
                                                  const dist::Session& mpi, size::Answer& answer) {
  std::optional<size::Search> search;
  std::vector<size::Screened> screened;
  std::vector<size::Option> refined;
  auto failed = dist::agree(attempt([&] {
    search.emplace(request, candidates);
    screened = screen_all(*search, mpi);
  }));
  if (!failed) failed = dist::agree(attempt([&] { refined = refine_all(*search, screened, mpi); }));
  if (failed || mpi.rank() != 0) return failed;
  answer = size::decide(request, screened, refined);
  answer.memory_capped = search->memory_capped();
  return std::nullopt;
}

std::vector<std::string> memory_limit_lines(const size::Request& request, const std::vector<size::Candidate>& candidates,
                                            const size::Answer& answer) {
  std::vector<std::string> out;
  for (const auto& [c, racks] : answer.memory_capped)
    out.push_back(fmt::format("{}: rack counts searched up to {}, beyond which its fabrics would exceed the memory limit "
                              "({} for the search; RACKSCOPE_MEMORY_LIMIT)",
                              candidates[c].spec.rack.name, racks, units::format_bytes(request.fabric_memory_B)));
  return out;
}

}  // namespace rackscope::cli
