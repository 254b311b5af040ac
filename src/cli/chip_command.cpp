// `rackscope chip`: the derived sheet of die-built chips side by side, and `--check`, every
// physical-plausibility problem of a package.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <cctype>

#include "cli/commands.hpp"
#include "io/chip_reader.hpp"

namespace rackscope::cli {
namespace {
struct Row {
  std::string label;
  std::vector<std::string> cells;
};

std::string fixed(double v, int digits) { return fmt::format("{:.{}f}", v, digits); }

std::vector<std::string> problem_lines(const hw::Chip& c) {
  std::vector<std::string> out;
  if (c.package)
    for (const auto& p : c.package->problems) out.push_back(io::package_error(c, p).what());
  return out;
}

std::string upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

// One "*NAME TFLOP/s" row per precision, in table order; the block-scaled (MX) formats share one
// row where the first of them stands, "-" on chips without any.
template <class AddRow>
void precision_rows(AddRow& row) {
  std::vector<hw::Precision> mx;
  for (const hw::PrecisionInfo& p : hw::precision_table)
    if (p.block) mx.push_back(p.id);
  for (const hw::PrecisionInfo& p : hw::precision_table) {
    if (!p.block) {
      row("*" + upper(p.name) + " TFLOP/s", [id = p.id](const hw::Chip& c) { return fixed(c.flops[id] / 1e12, 1); });
      continue;
    }
    if (p.id != mx.front()) continue;
    std::vector<std::string> names;
    for (hw::Precision m : mx) names.push_back(upper(hw::precision_name(m)));
    row(fmt::format("*{} TFLOP/s", fmt::join(names, " / ")), [mx](const hw::Chip& c) {
      double sum = 0;
      std::vector<std::string> cells;
      for (hw::Precision m : mx) {
        sum += c.flops[m];
        cells.push_back(fixed(c.flops[m] / 1e12, 1));
      }
      return sum > 0 ? fmt::format("{}", fmt::join(cells, " / ")) : std::string("-");
    });
  }
}

// The rows of the side-by-side table; a chip that states its totals fills only those.
std::vector<Row> table(const std::vector<hw::Chip>& chips) {
  std::vector<Row> rows;
  // A label starting with '*' is a row every chip has (the totals); the others only die-built
  // chips fill. The '*' is removed before printing.
  auto row = [&](std::string label, auto cell) {
    const bool every_chip = label[0] == '*';
    Row r{std::move(label), {}};
    for (const auto& c : chips) r.cells.push_back(c.package || every_chip ? cell(c) : "-");
    rows.push_back(std::move(r));
  };
  auto pkg = [](const hw::Chip& c) -> const hw::PackageSheet& { return *c.package; };
  row("*chip", [](const hw::Chip& c) { return c.name; });
  row("packaging", [&](const hw::Chip& c) { return pkg(c).packaging; });
  row("fits", [&](const hw::Chip& c) { return pkg(c).fits ? std::string("yes") : fmt::format("NO ({} problems)", pkg(c).problems.size()); });
  row("dies / cores / ranks", [&](const hw::Chip& c) { return fmt::format("{} / {} / {}", pkg(c).dies, pkg(c).cores, c.ranks_per_chip); });
  row("package mm^2 (max)", [&](const hw::Chip& c) { return fmt::format("{:.0f} ({:.0f})", pkg(c).package_area_m2 * 1e6, pkg(c).max_area_m2 * 1e6); });
  row("HBM stacks / bridges", [&](const hw::Chip& c) { return fmt::format("{} / {}", pkg(c).hbm_stacks, pkg(c).bridges); });
  precision_rows(row);
  row("SRAM MiB", [&](const hw::Chip& c) { return fixed(pkg(c).sram_B / (1 << 20), 0); });
  row("*HBM GiB", [](const hw::Chip& c) { return fixed(c.hbm_capacity_B / (1 << 30), 1); });
  row("*HBM TB/s", [](const hw::Chip& c) { return fixed(c.hbm_bandwidth_Bps / 1e12, 3); });
  row("d2d GB/s per dir", [&](const hw::Chip& c) { return fixed(pkg(c).d2d_bandwidth_Bps / 1e9, 0); });
  row("d2d latency ns", [&](const hw::Chip& c) { return fixed(pkg(c).d2d_latency_s * 1e9, 3); });
  row("power W", [&](const hw::Chip& c) { return fixed(pkg(c).power_W, 0); });
  row("  compute / HBM / d2d", [&](const hw::Chip& c) {
    return fmt::format("{:.0f} / {:.0f} / {:.1f}", pkg(c).compute_W, pkg(c).hbm_W, pkg(c).d2d_W);
  });
  row("unit cost USD", [&](const hw::Chip& c) { return fixed(pkg(c).unit_cost_usd, 0); });
  row("  dies / HBM / package", [&](const hw::Chip& c) {
    const auto& s = pkg(c);
    return fmt::format("{:.0f} / {:.0f} / {:.0f}", s.dies_usd, s.hbm_usd, s.silicon_usd + s.substrate_usd + s.assembly_usd);
  });
  row("  assembly yield", [&](const hw::Chip& c) { return fixed(pkg(c).assembly_yield, 3); });
  row("supply quarter", [&](const hw::Chip& c) { return pkg(c).supply.quarter; });
  row("chips/quarter low", [&](const hw::Chip& c) { return fixed(pkg(c).supply.low, 0); });
  row("chips/quarter base", [&](const hw::Chip& c) { return fixed(pkg(c).supply.base, 0); });
  row("chips/quarter high", [&](const hw::Chip& c) { return fixed(pkg(c).supply.high, 0); });
  for (auto& r : rows)
    if (r.label[0] == '*') r.label.erase(0, 1);
  return rows;
}

nlohmann::json to_json(const hw::Chip& c) {
  const hw::PackageSheet* s = c.package.get();
  nlohmann::json j = {{"name", c.name},
                      {"file", c.file},
                      {"packaging", s ? nlohmann::json(s->packaging) : nlohmann::json()},
                      {"fits", s ? s->fits : true},
                      {"problems", problem_lines(c)},
                      {"ranks_per_chip", c.ranks_per_chip},
                      {"hbm_GiB", c.hbm_capacity_B / (1 << 30)},
                      {"hbm_TBps", c.hbm_bandwidth_Bps / 1e12}};
  for (const hw::PrecisionInfo& p : hw::precision_table) j[std::string(p.name) + "_tflops"] = c.flops[p.id] / 1e12;
  if (!s) {
    for (const char* k : {"dies", "d2d_GBps", "d2d_latency_ns", "power_W", "unit_cost_usd", "supply_per_quarter"}) j[k] = nullptr;
    return j;
  }
  j["dies"] = s->dies;
  j["hbm_stacks"] = s->hbm_stacks;
  j["bridges"] = s->bridges;
  j["package_mm2"] = s->package_area_m2 * 1e6;
  j["max_package_mm2"] = s->max_area_m2 * 1e6;
  j["d2d_GBps"] = s->d2d_bandwidth_Bps / 1e9;
  j["d2d_latency_ns"] = s->d2d_latency_s * 1e9;
  j["power_W"] = s->power_W;
  j["power_parts_W"] = {{"compute", s->compute_W}, {"hbm", s->hbm_W}, {"d2d", s->d2d_W}};
  j["unit_cost_usd"] = s->unit_cost_usd;
  j["cost_parts_usd"] = {{"dies", s->dies_usd}, {"hbm", s->hbm_usd}, {"interposer_or_bridges", s->silicon_usd},
                         {"substrate", s->substrate_usd}, {"assembly", s->assembly_usd}};
  j["assembly_yield"] = s->assembly_yield;
  j["supply_per_quarter"] = {{"quarter", s->supply.quarter}, {"low", s->supply.low}, {"base", s->supply.base}, {"high", s->supply.high}};
  return j;
}
}  // namespace

Runner add_chip_command(CLI::App& app) {
  struct Options {
    std::vector<std::string> chips, sets;
    bool json = false, check = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("chip", "derive chips built from dies + HBM on a packaging technology, side by side");
  cmd->add_option("chips", o->chips, "chip files (topologies/chips/*.toml)")->required();
  cmd->add_flag("--json", o->json, "print a JSON array, one object per chip");
  cmd->add_flag("--check", o->check, "list every physical-plausibility problem; exit 3 if there is one");
  add_set_option(*cmd, o->sets);
  return [o]() {
    io::Overrides overrides;
    for (const auto& s : o->sets) overrides.add(s);
    io::InputFiles files;
    std::vector<hw::Chip> chips;
    for (const auto& path : o->chips) chips.push_back(io::read_chip(files.load(path, "chip", overrides), overrides, files));
    overrides.check_all_used();
    if (o->check) {
      int problems = 0;
      for (const auto& c : chips)
        for (const auto& line : problem_lines(c)) fmt::print("{}\n", line), ++problems;
      if (problems == 0) fmt::print("no problems in {} chip{}\n", chips.size(), chips.size() == 1 ? "" : "s");
      return problems ? 3 : 0;
    }
    if (o->json) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& c : chips) a.push_back(to_json(c));
      fmt::print("{}\n", a.dump(2));
      return 0;
    }
    // Rows whose cells differ between chips are marked with '*'.
    for (const auto& r : table(chips)) {
      bool differs = false;
      for (const auto& cell : r.cells) differs |= cell != r.cells.front();
      fmt::print("{} {:<22}", chips.size() > 1 && differs ? '*' : ' ', r.label);
      for (const auto& cell : r.cells) fmt::print(" {:>20}", cell);
      fmt::print("\n");
    }
    for (const auto& c : chips)
      for (const auto& line : problem_lines(c)) fmt::print("problem: {}\n", line);
    return 0;
  };
}

}  // namespace rackscope::cli
