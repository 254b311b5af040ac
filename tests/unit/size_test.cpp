// Sizing search pieces: bracketing, the rack counts a layout can run at, quarters, ranking.
#include <doctest/doctest.h>

#include <cmath>

#include "size/bracket.hpp"
#include "size/layouts.hpp"
#include "size/quarter.hpp"
#include "size/search.hpp"

using namespace rackscope;

TEST_CASE("first_true finds the threshold of a monotone predicate from any start, in few probes") {
  for (size_t n = 1; n <= 64; ++n)
    for (size_t threshold = 0; threshold <= n; ++threshold)
      for (size_t start = 0; start < n; ++start) {
        int probes = 0;
        const size_t got = size::first_true(n, start, [&](size_t i) {
          ++probes;
          return i >= threshold;
        });
        CHECK(got == threshold);
        // Galloping then bisecting: at most about 2 log2(n) + 2 probes.
        CHECK(probes <= 2 * static_cast<int>(std::ceil(std::log2(n + 1))) + 2);
      }
  CHECK(size::first_true(0, 0, [](size_t) { return true; }) == 0);
}

TEST_CASE("valid_racks: dp whole, a multiple of ep, and dp x micro-batch dividing the batch") {
  hw::ClusterSpec c;
  c.rack.chips = 144;  // Trn3 Gen2 UltraServer: 576 ranks (2^6 x 9)
  c.rack.chip.ranks_per_chip = 4;
  // tp 16 x cp 2 x pp 9 = 288: dp = 2 n, which must divide 2,048 sequences: n a power of two <= 1024.
  const size::Layout l{16, 9, 2, 1, 1, workload::Recompute::none};
  CHECK(size::valid_racks(c, l, 2048, 2048) == std::vector<int>{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024});
  // pp 4 leaves a factor 9 in dp = 9 n: never divides 2,048.
  CHECK(size::valid_racks(c, {16, 4, 2, 1, 1, workload::Recompute::none}, 2048, 2048).empty());
  // Micro-batch 2 halves the largest dp.
  CHECK(size::valid_racks(c, {16, 9, 2, 1, 2, workload::Recompute::none}, 2048, 2048).back() == 512);
  // With a batch free within 25%, dp = 2 n only needs a multiple near 2,048: every count on the
  // search's ladder (all up to 16, then ~4% steps) up to 640 (dp 1,280, twice in 2,560); between
  // 640 and 768 no multiple of dp lies within 1,536-2,560, then one does again up to 1,280.
  const auto flexible = size::valid_racks(c, l, 2048, 2048, 0.25);
  CHECK(flexible.front() == 1);
  CHECK(flexible[15] == 16);
  CHECK(flexible.back() <= 1280);
  for (size_t i = 16; i < flexible.size() && flexible[i] <= 640; ++i) CHECK(flexible[i] <= flexible[i - 1] * 1.05 + 1);
  for (int n : flexible) CHECK((n <= 640 || n >= 768));
  CHECK(size::batch_for(300, 2048, 0.25) == 2100);  // 7 x 300, the multiple nearest 2,048
  CHECK(size::batch_for(3000, 2048, 0.25) == 0);    // 3,000 is beyond 2,560
  CHECK(size::batch_for(2048, 2048, 0) == 2048);
  const auto e = size::execution(c, l, 8, 2048);
  CHECK(e.dp == 16);
  CHECK(e.tp * e.pp * e.cp * e.dp == 8 * 576);
  CHECK(e.zero == 1);
  CHECK(e.sequence_parallel);
}

TEST_CASE("valid_racks: a replica spanning racks runs at every ladder multiple of its racks") {
  hw::ClusterSpec c;
  c.rack.chips = 8;  // HGX H100: 8 ranks per rack
  c.rack.chip.ranks_per_chip = 1;
  // tp 8 x cp 2 x pp 14 = 224 ranks = 28 racks per replica: counts are 28 k (k = dp), k = 1..16
  // then ~4% apart, up to dp 2,560 (one sequence per replica in a batch within 25% of 2,048);
  // no dp between 1,280 and 1,536 has a multiple within 1,536-2,560.
  const size::Layout l{8, 14, 2, 1, 1, workload::Recompute::none};
  const auto counts = size::valid_racks(c, l, 2048, 100000, 0.25);
  REQUIRE(counts.size() > 40);
  for (int i = 0; i < 16; ++i) CHECK(counts[i] == 28 * (i + 1));
  for (size_t i = 1; i < counts.size(); ++i) {
    CHECK(counts[i] % 28 == 0);
    CHECK((counts[i] / 28 <= 1280 || counts[i] / 28 >= 1536));
    if (counts[i] / 28 <= 1280 || counts[i - 1] / 28 >= 1536) CHECK(counts[i] <= counts[i - 1] * 1.05 + 28);
  }
  CHECK(counts.back() / 28 <= 2560);
  CHECK(counts.back() / 28 >= 2560 / 1.05);
  // tp 8 x pp 3 x cp 1 = 24 ranks = 3 racks: every multiple of 3 racks, up to 12.
  CHECK(size::valid_racks(c, {8, 3, 1, 1, 1, workload::Recompute::none}, 2048, 12, 0.25) == std::vector<int>{3, 6, 9, 12});
}

TEST_CASE("layouts: TP inside a rack dividing the heads, PP up to the layers") {
  workload::ModelSpec m;
  m.layers = 12, m.heads = 8, m.kv_heads = 8;
  hw::ClusterSpec c;
  c.rack.chips = 4;
  c.rack.chip.ranks_per_chip = 1;
  for (const auto& l : size::layouts(m, c)) {
    CHECK(l.tp <= 4);
    CHECK(m.heads % l.tp == 0);
    CHECK(l.pp <= 12);
    CHECK(l.ep == 1);
  }
  // tp {1,2,4} x cp {1,2} x (pp, vpp) x mbs {1,2}; recompute is found by screening. Each stage
  // holds at least vpp of the 12 layers: pp 1 (vpp 1), 2 and 3 (6 and 4 layers: vpp 1, 2, 4), 4
  // and 6 (3 and 2: vpp 1, 2), 8 and 12 (1: vpp 1): 13 pairs.
  CHECK(size::layouts(m, c).size() == 3 * 2 * 13 * 2);
  for (const auto& l : size::layouts(m, c)) CHECK((l.vpp == 1 || (l.pp > 1 && 12 / l.pp >= l.vpp)));
}

TEST_CASE("layouts: the embedding and the loss as layers of the split where they fill the chunks") {
  // 126 layers (Llama 3.1 405B): pp 16 x vpp 8 = 128 chunks only with the embedding and the loss
  // counted (Llama 3's own pipeline); pp 16 x vpp 4 = 64 chunks: the plain split (7 or 8 layers a
  // stage) and the 128 slots with the ends (2 a chunk) both; pp 7 x vpp 2 = 14 divides 126: the
  // plain split only.
  workload::ModelSpec m;
  m.layers = 126, m.heads = 128, m.kv_heads = 8, m.hidden = 16384, m.vocab = 128256;
  hw::ClusterSpec c;
  c.rack.chips = 4;
  c.rack.chip.ranks_per_chip = 1;
  auto count = [&](int pp, int vpp, bool ends) {
    int n = 0;
    for (const auto& l : size::layouts(m, c)) n += l.pp == pp && l.vpp == vpp && l.embedding_loss_stages == ends && l.tp == 1 && l.cp == 1;
    return n;
  };
  CHECK(count(16, 8, true) == 2);  // micro-batch 1 and 2
  CHECK(count(16, 8, false) == 0);
  CHECK(count(16, 4, true) == 2);
  CHECK(count(16, 4, false) == 2);
  CHECK(count(7, 2, true) == 0);
  CHECK(count(7, 2, false) == 2);
  for (const auto& l : size::layouts(m, c))
    if (l.embedding_loss_stages) CHECK(l.last_stage_layers == 0);  // the split balances the ends itself
  // The execution runs the split, and the answer names it.
  const size::Layout ends{1, 16, 1, 1, 1, {}, 0, 0, 8, true};
  const auto e = size::execution(c, ends, 64, 2048, 0.25);
  CHECK(e.embedding_stage);
  CHECK(e.loss_stage);
  CHECK(size::pipeline_text(e) == "16e");
  CHECK(size::pipeline_text(size::execution(c, {1, 16, 1, 1, 1, {}, 0, 0, 4}, 64, 2048, 0.25)) == "16");
}

TEST_CASE("layouts: MoE with TP tries the experts split like TP and whole (EP folded over TP)") {
  workload::ModelSpec m;
  m.layers = 12, m.heads = 8, m.kv_heads = 8;
  m.moe.experts = 8, m.moe.top_k = 2;
  hw::ClusterSpec c;
  c.rack.chips = 4;
  c.rack.chip.ranks_per_chip = 1;
  // ep {1, 2, 4, 8}; with tp > 1 and ep > 1 both etp = tp (0) and etp 1: per (tp, cp, pp, mbs)
  // tp 1: 4 layouts, tp 2 and 4: 1 + 3 x 2 = 7 each.
  const auto all = size::layouts(m, c);
  CHECK(all.size() == (4 + 7 + 7) * 2 * 13 * 2);
  for (const auto& l : all) CHECK((l.etp == 0 || (l.etp == 1 && l.tp > 1 && l.ep > 1)));
  // Folded, ep need only tile a stage's tp x cp x dp ranks: tp 4 x dp 2 = 8 ranks hold ep 8
  // (dp 2 alone does not).
  const size::Layout split{4, 1, 1, 8, 1, {}, 0}, folded{4, 1, 1, 8, 1, {}, 1};
  CHECK(size::valid_racks(c, split, 16, 2).empty());
  CHECK(size::valid_racks(c, folded, 16, 2) == std::vector<int>{2});
  CHECK(size::execution(c, folded, 2, 16).etp == 1);
}

TEST_CASE("layouts: the last stage gives up layers to the output head and the MTP modules, by their FLOPs") {
  // A dense model of 32 layers, hidden 1024, FFN 4096 (GELU: 2 matrices), 16 heads of 64, vocab
  // 65536, no biases, RMSNorm: a layer's parameters 4 h^2 + 8 h^2 + 2 h = 12 h^2 + 2 h, the head
  // h V = 64 h^2: the head weighs 64 h^2 / (12 h^2 + 2 h) = 5.33 layers.
  workload::ModelSpec m;
  m.layers = 32, m.hidden = 1024, m.ffn = 4096, m.heads = 16, m.kv_heads = 16, m.head_dim = 64, m.vocab = 65536, m.seq = 2048;
  m.norm = workload::Norm::rmsnorm;
  const double h = 1024, layer = 12 * h * h + 2 * h, extra = 64 * h * h / layer;
  // n + extra = (32 - n) / (pp - 1): pp 4 gives n = (32 - 3 x 5.33) / 4 = 4.0, against 8 evenly.
  CHECK(size::balanced_last_stage_layers(m, 4) == std::lround((32 - 3 * extra) / 4));
  CHECK(size::balanced_last_stage_layers(m, 4) == 4);
  // pp 8: (32 - 7 x 5.33) / 8 < 1: one layer, the least a stage holds.
  CHECK(size::balanced_last_stage_layers(m, 8) == 1);
  CHECK(size::balanced_last_stage_layers(m, 1) == 0);
  // A small head changes nothing: vocab 1024 weighs 0.08 layers, n rounds to the even 8.
  workload::ModelSpec small = m;
  small.vocab = 1024;
  CHECK(size::balanced_last_stage_layers(small, 4) == 0);
  // One MTP module: a layer, its 2h -> h projection (2 h^2) and two norms (2 h), and another head:
  // 2 x 5.33 + (12 h^2 + 2 h + 2 h^2 + 2 h) / layer = 11.84 layers; pp 2: (32 - 11.84) / 2 = 10.
  m.mtp_depth = 1;
  const double mtp_extra = 2 * extra + (14 * h * h + 4 * h) / layer;
  CHECK(size::balanced_last_stage_layers(m, 2) == std::lround((32 - mtp_extra) / 2));
  CHECK(size::balanced_last_stage_layers(m, 2) == 10);
  // The search's layouts carry it, and the execution runs it.
  hw::ClusterSpec c;
  c.rack.chips = 4;
  c.rack.chip.ranks_per_chip = 1;
  for (const auto& l : size::layouts(m, c)) CHECK(l.last_stage_layers == size::balanced_last_stage_layers(m, l.pp, l.vpp));
  // Interleaved, the last stage keeps a layer for each of its vpp chunks: pp 8 with vpp 2 keeps
  // 2; with vpp 4 it keeps 4, the even split's own count (0: nothing to balance).
  CHECK(size::balanced_last_stage_layers(m, 8, 2) == 2);
  CHECK(size::balanced_last_stage_layers(m, 8, 4) == 0);
  const size::Layout two{1, 2, 1, 1, 1, {}, 0, 10};
  CHECK(size::execution(c, two, 1, 8).last_stage_layers == 10);
  // Interleaved: vpp and overlapped sends run, and the batch is a multiple of dp x micro-batch x
  // pp (4 racks of 4 ranks, pp 2: dp 8; a target of 20 rounds to 16, not 24 = 3 x 8).
  const size::Layout interleaved{1, 2, 1, 1, 1, {}, 0, 0, 2};
  const auto e = size::execution(c, interleaved, 4, 20, 0.5);
  CHECK(e.vpp == 2);
  CHECK(e.overlap_p2p);
  CHECK(e.global_batch % (8 * 2) == 0);
}

TEST_CASE("layouts: the recompute ladder adds MoE-block recompute for MoE models only") {
  workload::ModelSpec m;
  m.layers = 4;
  CHECK(size::recompute_ladder(m).size() == 3);
  m.moe.experts = 8;
  const auto steps = size::recompute_ladder(m);
  REQUIRE(steps.size() == 4);
  CHECK(steps[2].mode == workload::Recompute::selective);
  CHECK(steps[2].moe);
  CHECK(steps[3].mode == workload::Recompute::full);
  workload::Execution e;
  e.recompute = workload::Recompute::selective, e.recompute_moe = true;
  CHECK(size::recompute_text(e) == "selective+moe");
}

TEST_CASE("quarters") {
  CHECK(size::valid_quarter("2027Q1"));
  CHECK_FALSE(size::valid_quarter("2027Q5"));
  CHECK_FALSE(size::valid_quarter("27Q1"));
  CHECK_FALSE(size::valid_quarter("2027-Q1"));
  CHECK(size::quarter_index("2027Q1") - size::quarter_index("2026Q4") == 1);
}

namespace {
size::Option option(int candidate, int racks, double objective, bool feasible, const char* reject = "") {
  size::Option o;
  o.candidate = candidate, o.racks = racks, o.objective = objective, o.feasible = feasible, o.reject = reject;
  o.work_s = 1, o.wall_s.value = objective;
  return o;
}
}  // namespace

TEST_CASE("decide: each configuration's best first, then the next best, ranked; counts of rejections") {
  size::Request r;
  r.top = 3;
  r.deadline_s = 10;
  const std::vector<size::Screened> screened = {{{0, 0, {}, false}, 0, "out_of_memory"}, {{0, 1, {}, false}, 5, ""}, {{1, 0, {}, false}, 0, "tp_heads"}};
  const auto a = size::decide(r, screened, {option(0, 4, 1.0, true), option(0, 5, 2.0, true), option(0, 6, 3.0, true), option(1, 8, 9.0, true),
                                            option(1, 9, 20.0, false, "over_deadline")});
  REQUIRE(a.options.size() == 3);
  CHECK(a.options[0].objective == 1.0);
  CHECK(a.options[1].objective == 2.0);
  CHECK(a.options[2].candidate == 1);  // shown although 3.0 < 9.0: every configuration gets its best
  CHECK(a.rejected.at("out_of_memory") == 1);
  CHECK(a.rejected.at("tp_heads") == 1);
  CHECK(a.rejected.at("over_deadline") == 1);
  CHECK(a.closest.empty());
}

TEST_CASE("decide: nothing feasible gives the nearest misses with advice") {
  size::Request r;
  r.deadline_s = 10;
  r.max_racks = 100;
  const auto a = size::decide(r, {}, {option(0, 8, 30.0, false, "over_deadline"), option(1, 8, 15.0, false, "over_deadline")});
  CHECK(a.options.empty());
  REQUIRE(a.closest.size() == 2);
  CHECK(a.closest[0].candidate == 1);
  REQUIRE(a.advice.size() == 2);
  CHECK(a.advice[0].find("12 racks") != std::string::npos);  // 8 x 15 / 10
}
