#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <set>
#include <tuple>

#include "eval/evaluate.hpp"
#include "io/cluster_reader.hpp"
#include "io/model_reader.hpp"
#include "io/sweep_inputs.hpp"
#include "io/sweep_reader.hpp"
#include "sweep/chunks.hpp"
#include "sweep/evaluator.hpp"
#include "sweep/layout.hpp"
#include "sweep/pareto.hpp"
#include "sweep/reasons.hpp"
#include "sweep/refused.hpp"
#include "sweep/sha256.hpp"
#include "sweep/space.hpp"

using namespace rackscope;

namespace {
sweep::Axis axis(const std::string& name, std::vector<sweep::Value> values, sweep::Target t = sweep::Target::knob) {
  sweep::Axis a;
  a.name = name;
  a.target = t;
  a.values = std::move(values);
  return a;
}
const std::string kMixed = std::string(RACKSCOPE_SOURCE_DIR) + "/tests/mpi/sweeps/mixed.toml";
}  // namespace

TEST_CASE("sweep: mixed-radix space") {
  const std::vector<sweep::Axis> axes = {axis("racks", {int64_t{1}, int64_t{2}, int64_t{4}}, sweep::Target::set),
                                         axis("workload", {std::string("a"), std::string("b")}, sweep::Target::workload),
                                         axis("tp", {int64_t{1}, int64_t{2}, int64_t{4}, int64_t{8}, int64_t{16}})};
  const sweep::Space s(axes);
  CHECK(s.total() == 30);
  CHECK(s.stride(0) == 10);
  CHECK(s.stride(1) == 5);
  CHECK(s.stride(2) == 1);
  CHECK(s.clusters() == 3);
  CHECK(s.cluster_axes() == 1);
  // Every index decodes to a distinct digit tuple that encodes back to it.
  std::set<std::vector<int64_t>> seen;
  for (int64_t i = 0; i < s.total(); ++i) {
    std::vector<int64_t> d;
    int64_t back = 0;
    for (size_t k = 0; k < s.axes(); ++k) {
      d.push_back(s.digit(i, k));
      back += d.back() * s.stride(k);
    }
    CHECK(back == i);
    CHECK(s.cluster_of(i) == d[0]);
    CHECK(s.cluster_digit(s.cluster_of(i), 0) == d[0]);
    seen.insert(d);
  }
  CHECK(seen.size() == 30);
  // Cluster-shaping axes after others, and products beyond 2^62, are refused.
  CHECK_THROWS_AS(sweep::Space({axes[2], axes[0]}), std::invalid_argument);
  std::vector<sweep::Value> many(1 << 16, sweep::Value{int64_t{1}});
  CHECK_THROWS_AS(sweep::Space({axis("a", many), axis("b", many), axis("c", many), axis("d", many)}), std::invalid_argument);
}

TEST_CASE("sweep: chunks cover an interval exactly once, in any request order") {
  std::mt19937 rng(7);
  for (int ranks = 1; ranks <= 5; ++ranks) {
    for (int64_t granule : {1, 7, 100}) {
      sweep::Chunks chunks(1000, 3000, ranks, 4, granule);
      std::vector<int> covered(2000, 0);
      std::vector<bool> done(ranks, false);
      int left = ranks;
      while (left > 0) {
        const int r = static_cast<int>(rng() % ranks);
        if (done[r]) continue;
        const auto [a, b] = chunks.next(r);
        if (a == b) {
          done[r] = true;
          --left;
          continue;
        }
        CHECK(a >= 1000);
        CHECK(b <= 3000);
        for (int64_t i = a; i < b; ++i) ++covered[i - 1000];
      }
      CHECK(std::all_of(covered.begin(), covered.end(), [](int c) { return c == 1; }));
    }
  }
  // Shares start on cluster boundaries: clusters of 300, the halfway cut at 500 moves to 600.
  sweep::Chunks aligned(0, 1000, 2, 1, 300);
  CHECK(aligned.next(1).first == 600);
  // A cut rounded up to a boundary past the next cut's place: shares stay ordered and disjoint
  // (intervals of 256 crossing a cluster boundary at 7776, 3 ranks).
  for (int64_t begin = 7520; begin < 7936; begin += 8) {
    sweep::Chunks uneven(begin, begin + 256, 3, 1, 7776);
    std::vector<int> seen(256, 0);
    for (int r : {2, 1, 0, 2, 1, 0})
      for (auto [a, b] = uneven.next(r); a != b; std::tie(a, b) = uneven.next(r))
        for (int64_t i = a; i < b; ++i) ++seen[i - begin];
    CHECK(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
  }
  sweep::Chunks closed(0, 100, 2, 1);
  closed.close();
  CHECK(closed.next(0).first == closed.next(0).second);
}

TEST_CASE("sweep: every rank's share starts on a cluster boundary when clusters are smaller than shares") {
  // Clusters of 100 configurations over [3000, 5000): the first chunk each rank is handed starts
  // where a cluster starts, so no two ranks begin inside one cluster's fabric.
  for (int ranks = 2; ranks <= 6; ++ranks) {
    sweep::Chunks chunks(3000, 5000, ranks, 4, 100);
    int64_t previous = 2999;
    for (int r = 0; r < ranks; ++r) {
      const auto [first, last] = chunks.next(r);
      CAPTURE(ranks);
      CAPTURE(r);
      CHECK(first % 100 == 0);
      CHECK(first > previous);  // shares in rank order, none empty
      CHECK(last > first);
      previous = first;
    }
  }
}

TEST_CASE("sweep: Pareto front") {
  const double nan = std::nan("");
  // (1,5) (2,2) (5,1) are the front; (3,3) is dominated by (2,2); the NaN point is left out;
  // the duplicate of (2,2) is kept.
  const std::vector<std::vector<double>> pts = {{3, 3}, {1, 5}, {2, 2}, {5, 1}, {nan, 0}, {2, 2}, {6, 6}};
  CHECK(sweep::pareto_front(pts) == std::vector<size_t>{1, 2, 3, 5});
  CHECK(sweep::pareto_front({}).empty());
}

TEST_CASE("sweep: SHA-256 (FIPS 180-4 test vectors)") {
  CHECK(sweep::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sweep::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sweep::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sweep::sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sweep: reason codes") {
  const auto& names = sweep::reason_names();
  CHECK(names.front() == "feasible");
  CHECK(std::set<std::string>(names.begin(), names.end()).size() == names.size());
  CHECK(names[sweep::reason_code(workload::Infeasibility::out_of_memory)] == "out_of_memory");
  CHECK(names[sweep::reason_code(sweep::Constraint::chips)] == "over_max_chips");
  CHECK(names.size() < 256);  // stored as an 8-bit enum
}

TEST_CASE("sweep: reading a spec") {
  io::InputFiles files;
  const sweep::Spec spec = io::read_sweep(kMixed, files);
  std::vector<std::string> order;
  for (const auto& a : spec.axes) order.push_back(a.name);
  // Cluster-shaping axes first (in spec order), the workload, then the rest in spec order.
  CHECK(order == std::vector<std::string>{"cluster", "racks", "set.scale_out.link_bandwidth", "workload", "tp", "pp", "cp", "micro_batch",
                                          "recompute", "overlap_tp", "zero"});
  CHECK(spec.axes[5].values == std::vector<sweep::Value>{int64_t{1}, int64_t{2}, int64_t{4}, int64_t{8}});  // factor 2 range
  CHECK(spec.axes[10].values == std::vector<sweep::Value>{int64_t{0}, int64_t{3}});                       // step 3 range
  CHECK(spec.axes[2].override_path == "scale_out.link_bandwidth");
  CHECK(spec.execution.global_batch == 256);
  CHECK(spec.execution.sequence_parallel);
  CHECK(spec.constraints.max_chips == 200);
  CHECK(spec.objectives.size() == 3);
  CHECK(spec.workloads[1].train_tokens == 15e12);
}

TEST_CASE("sweep: an evaluated row equals evaluate() on the same configuration") {
  io::InputFiles files;
  const sweep::Spec spec = io::read_sweep(kMixed, files);
  auto texts = std::make_shared<const io::Texts>(io::load_inputs(spec));
  sweep::Evaluator ev(spec, io::sweep_inputs(spec, texts));
  const sweep::Space& s = ev.space();
  const sweep::Layout layout(spec);
  // The first feasible configuration with 2 racks of the UltraServer, 70B, tp 8.
  int64_t found = -1;
  sweep::Result r;
  for (int64_t i = 0; i < s.total() && found < 0; ++i) {
    if (s.digit(i, 0) != 0 || s.digit(i, 1) != 1 || s.digit(i, 3) != 1 || s.digit(i, 4) != 3) continue;
    r = ev.evaluate(i);
    if (r.reason == 0) found = i;
  }
  REQUIRE(found >= 0);
  // The same configuration built by hand, as `rackscope step` builds it.
  io::Overrides o;
  o.add("racks=2");
  o.add("scale_out.link_bandwidth=\"" + std::get<std::string>(spec.axes[2].values[s.digit(found, 2)]) + "\"");
  io::InputFiles f2;
  const auto cluster = io::read_cluster(std::get<std::string>(spec.axes[0].values[0]), o, f2);
  const auto model = io::read_model(spec.workloads[1].model, {}, f2);
  const auto profile = io::read_compute_profile(f2.load(spec.profile, "compute_profile", {}));
  const fabric::Fabric fabric(cluster);
  collective::Planner planner(fabric, fabric.spec().rack.chip.collectives);
  workload::Execution e = spec.execution;
  e.tp = 8;
  e.pp = static_cast<int>(std::get<int64_t>(spec.axes[5].values[s.digit(found, 5)]));
  e.cp = static_cast<int>(std::get<int64_t>(spec.axes[6].values[s.digit(found, 6)]));
  e.micro_batch = static_cast<int>(std::get<int64_t>(spec.axes[7].values[s.digit(found, 7)]));
  e.recompute = static_cast<workload::Recompute>(s.digit(found, 8));
  e.overlap_tp = std::get<bool>(spec.axes[9].values[s.digit(found, 9)]);
  e.zero = static_cast<int>(std::get<int64_t>(spec.axes[10].values[s.digit(found, 10)]));
  e.dp = fabric.endpoints() / (e.tp * e.pp * e.cp);
  const eval::Report rep = eval::evaluate({fabric, planner, profile}, model, e);
  REQUIRE(rep.feasible());
  CHECK(r.step_time_s == rep.step_time_s);
  CHECK(r.tokens_per_s == rep.tokens_per_s);
  CHECK(r.mfu == rep.mfu);
  CHECK(r.memory_per_chip_B == rep.memory_per_chip_B);
  CHECK(r.dp == e.dp);
  CHECK(r.chips == fabric.chips());
  CHECK(r.time_to_train_s == 15e12 / rep.tokens_per_s);
  // Cost and power come from the chip's package sheet when it has one, else they are NaN.
  const auto& chip = cluster.rack.chip;
  if (chip.package) {
    CHECK(r.cost_usd == fabric.chips() * chip.package->unit_cost_usd);
    CHECK(r.power_W == fabric.chips() * chip.package->power_W);
    CHECK(r.cost_usd > 0);
  } else {
    CHECK(std::isnan(r.cost_usd));
    CHECK(std::isnan(r.power_W));
  }
  // The packed row reads back, every breakdown term in its `<term>_s` column.
  std::vector<uint8_t> row(layout.row_size());
  layout.pack(r, s, row.data());
  for (std::size_t t = 0; t < eval::term_count; ++t)
    CHECK(layout.number(row.data(), *layout.find(std::string(eval::term_names[t]) + "_s")) == rep.breakdown.s[t]);
  CHECK(layout.number(row.data(), *layout.find("index")) == static_cast<double>(found));
  CHECK(layout.number(row.data(), *layout.find("step_time_s")) == rep.step_time_s);
  CHECK(layout.number(row.data(), *layout.find("tp")) == 8);
  CHECK(layout.number(row.data(), *layout.find("feasible")) == 1);
  size_t sum = 0;
  for (const auto& c : layout.columns()) sum += sweep::type_size(c.type);
  CHECK(sum == layout.row_size());
}

TEST_CASE("sweep: rows split into feasible rows and refused (index, reason), in order") {
  io::InputFiles files;
  const sweep::Spec spec = io::read_sweep(kMixed, files);
  const sweep::Layout layout(spec);
  const size_t rs = layout.row_size();
  const sweep::Column& index = *layout.find("index");
  const sweep::Column& reason = *layout.find("reason");
  const sweep::Column& step = *layout.find("step_time_s");
  // Rows first .. first + n - 1 with the given reasons; every other byte says which row it is.
  auto rows_of = [&](int64_t first, const std::vector<uint8_t>& reasons) {
    std::vector<uint8_t> rows(reasons.size() * rs);
    for (size_t i = 0; i < reasons.size(); ++i) {
      uint8_t* row = &rows[i * rs];
      std::fill(row, row + rs, static_cast<uint8_t>(i * 7 + 1));
      const uint64_t at = static_cast<uint64_t>(first) + i;
      std::memcpy(row + index.offset, &at, sizeof at);
      row[reason.offset] = reasons[i];
      const double t = static_cast<double>(i);
      std::memcpy(row + step.offset, &t, sizeof t);
    }
    return rows;
  };
  SUBCASE("mixed") {
    const std::vector<uint8_t> reasons = {0, 3, 3, 0, 0, 9, 1, 0, 16};
    const int64_t first = (int64_t{1} << 40) + 5;  // indices past 2^32 keep their high bytes
    const auto rows = rows_of(first, reasons);
    const sweep::Split s = sweep::split_refused(layout, rows.data(), reasons.size());
    CHECK(s.feasible_rows == 4);
    CHECK(s.refused_rows == 5);
    REQUIRE(s.feasible.size() == 4 * rs);
    REQUIRE(s.refused.size() == 5 * sweep::kRefusedRowSize);
    std::vector<size_t> kept, refused;
    for (size_t i = 0; i < reasons.size(); ++i) (reasons[i] ? refused : kept).push_back(i);
    for (size_t k = 0; k < kept.size(); ++k)  // whole rows, byte for byte, in order
      CHECK(std::equal(rows.begin() + static_cast<std::ptrdiff_t>(kept[k] * rs), rows.begin() + static_cast<std::ptrdiff_t>((kept[k] + 1) * rs),
                       s.feasible.begin() + static_cast<std::ptrdiff_t>(k * rs)));
    for (size_t k = 0; k < refused.size(); ++k) {
      const uint8_t* r = &s.refused[k * sweep::kRefusedRowSize];
      CHECK(sweep::refused_index(r) == first + static_cast<int64_t>(refused[k]));
      CHECK(sweep::refused_reason(r) == reasons[refused[k]]);
    }
  }
  SUBCASE("every configuration refused") {
    const std::vector<uint8_t> reasons(50, 14);
    const auto rows = rows_of(0, reasons);
    const sweep::Split s = sweep::split_refused(layout, rows.data(), reasons.size());
    CHECK(s.feasible_rows == 0);
    CHECK(s.feasible.empty());
    CHECK(s.refused_rows == 50);
    CHECK(sweep::refused_index(&s.refused[49 * sweep::kRefusedRowSize]) == 49);
  }
  SUBCASE("none refused") {
    const std::vector<uint8_t> reasons(50, 0);
    const auto rows = rows_of(100, reasons);
    const sweep::Split s = sweep::split_refused(layout, rows.data(), reasons.size());
    CHECK(s.feasible == rows);
    CHECK(s.refused_rows == 0);
    CHECK(s.refused.empty());
  }
  SUBCASE("no rows") {
    const sweep::Split s = sweep::split_refused(layout, nullptr, 0);
    CHECK(s.feasible_rows + s.refused_rows == 0);
  }
  // The /refused columns: index and the reason enum, packed.
  const auto& cols = sweep::refused_columns();
  REQUIRE(cols.size() == 2);
  CHECK(cols[0].name == "index");
  CHECK(cols[1].type == sweep::Type::reason);
  CHECK(cols[1].offset + sweep::type_size(cols[1].type) == sweep::kRefusedRowSize);
}
