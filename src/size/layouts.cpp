#include "size/layouts.hpp"

#include <vector>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <numeric>

#include "workload/counts.hpp"

namespace rackscope::size {
namespace {

int64_t ranks_per_rack(const hw::ClusterSpec& c) {
  return static_cast<int64_t>(c.rack.chips) * c.rack.chip.ranks_per_chip;
}

std::vector<int> powers_of_two_up_to(int limit) {
  std::vector<int> v;
  for (int p = 1; p <= limit; p *= 2) v.push_back(p);
  return v;
}

// Pipeline degrees: every divisor of the layers up to 64 (even stages), and the powers of two
// up to 32 that do not divide them (uneven last stage, as frameworks allow).
std::vector<int> pipeline_degrees(int layers) {
  std::vector<int> v;
  for (int p = 1; p <= std::min(layers, 64); ++p)
    if (layers % p == 0 || ((p & (p - 1)) == 0 && p <= 32)) v.push_back(p);
  return v;
}

bool tp_fits_heads(const workload::ModelSpec& m, int tp) {
  return m.heads % tp == 0 && (m.kv_heads % tp == 0 || tp % m.kv_heads == 0);
}

// Rack counts a search considers: every count up to 16, then steps of about 4% (and powers of two). Probes of
// different layouts then land on the same counts, so they share fabrics (a fabric of thousands
// of chips costs far more than a step evaluated on it); a customer buys racks to a few percent.
bool on_ladder(int n) {
  if (n <= 16 || (n & (n - 1)) == 0) return true;  // and every power of two
  const double k = std::round(std::log(n / 16.0) / std::log(1.04));
  return n == static_cast<int>(std::lround(16 * std::pow(1.04, k)));
}

}  // namespace

int balanced_last_stage_layers(const workload::ModelSpec& m, int pp, int vpp) {
  if (pp < 2) return 0;
  // FLOPs per token, forward (the backward scales them alike): a layer on average, the head.
  const double layer = 2 * (workload::active_params(m) - workload::embedding_params(m)) / m.layers;
  const double head = 2.0 * m.hidden * m.vocab;
  const double mtp = m.mtp_depth * (2 * (workload::mtp_module_params(m).active) + head);
  const double extra = (head + mtp) / layer;  // in layers
  // n + extra = (L - n) / (pp - 1): the last stage as long as each of the others.
  const int n = static_cast<int>(std::lround((m.layers - (pp - 1) * extra) / pp));
  const int last = std::max(vpp, std::min(n, m.layers - (pp - 1)));  // a stage holds vpp chunks of a layer at least
  const int even_last = m.layers / pp;  // the even split's last stage (the remainder goes first)
  return last < even_last ? last : 0;
}

std::vector<Layout> layouts(const workload::ModelSpec& m, const hw::ClusterSpec& c) {
  const int per_rack = static_cast<int>(std::min<int64_t>(ranks_per_rack(c), 1 << 20));
  const std::vector<int> eps = m.moe.experts > 0 ? powers_of_two_up_to(std::min(m.moe.experts, 64)) : std::vector<int>{1};
  std::vector<Layout> out;
  for (int tp : powers_of_two_up_to(std::min(per_rack, 64))) {
    if (!tp_fits_heads(m, tp)) continue;
    for (int cp : {1, 2})
      for (int pp : pipeline_degrees(m.layers))
        for (int ep : eps) {
          if (ep > 1 && m.moe.experts % ep != 0) continue;
          // MoE with TP: the experts either split like the dense layers (etp = tp) or whole
          // with EP folded over the TP ranks (etp 1), as Megatron-Core's MoE recipes run them.
          for (int etp : ep > 1 && tp > 1 ? std::vector<int>{0, 1} : std::vector<int>{0})
            for (int vpp : {1, 2, 4, 8}) {
              if (vpp > 1 && pp == 1) continue;
              const int chunks = pp * vpp;
              // The embedding and the loss as layers of the split where they make it whole.
              const bool with_ends = pp > 1 && m.layers % chunks != 0 && (m.layers + 2) % chunks == 0;
              for (int mbs : {1, 2}) {
                if (m.layers / pp >= vpp) out.push_back({tp, pp, cp, ep, mbs, {}, etp, balanced_last_stage_layers(m, pp, vpp), vpp});
                if (with_ends) out.push_back({tp, pp, cp, ep, mbs, {}, etp, 0, vpp, true});
              }
            }
        }
  }
  return out;
}

int batch_for(int64_t replicas_x_micro, int target, double tolerance) {
  if (replicas_x_micro <= 0) return 0;
  const double lo = target * (1 - tolerance), hi = target * (1 + tolerance);
  const int64_t below = target / replicas_x_micro * replicas_x_micro, above = below + replicas_x_micro;
  int64_t best = 0;
  for (int64_t b : {below, above})
    if (b > 0 && b >= lo && b <= hi && (best == 0 || std::llabs(b - target) < std::llabs(best - target))) best = b;
  return static_cast<int>(best);
}

std::vector<int> valid_racks(const hw::ClusterSpec& c, const Layout& l, int target, int max_racks, double tolerance) {
  const int64_t split = static_cast<int64_t>(l.tp) * l.cp * l.pp;
  // Only multiples of `step` racks hold whole replicas (tp x cp x pp ranks); the ladder spaces
  // those multiples, so a replica of 28 racks runs at 28, 56, ... racks, not only where the
  // ladder of counts happens to meet a multiple of 28.
  const int64_t step = split / std::gcd(split, ranks_per_rack(c));
  std::vector<int> out;
  for (int64_t k = 1; k * step <= max_racks; ++k) {
    if (!on_ladder(static_cast<int>(k))) continue;
    const int n = static_cast<int>(k * step);
    const int64_t dp = n * ranks_per_rack(c) / split;
    // EP carved out of DP, or (folded) etp x ep tiling a stage's tp x cp x dp ranks.
    const bool ep_fits = l.etp > 0 && l.etp != l.tp ? (split / l.pp * dp) % (int64_t{l.etp} * l.ep) == 0 : dp % l.ep == 0;
    if (!ep_fits || batch_for(dp * l.micro_batch * (l.vpp > 1 ? l.pp : 1), target, tolerance) == 0) continue;
    out.push_back(n);
  }
  return out;
}

workload::Execution execution(const hw::ClusterSpec& c, const Layout& l, int racks, int target, double tolerance) {
  workload::Execution e;
  e.micro_batch = l.micro_batch;
  e.tp = l.tp, e.pp = l.pp, e.cp = l.cp, e.ep = l.ep, e.etp = l.etp;
  e.dp = static_cast<int>(racks * ranks_per_rack(c) / (static_cast<int64_t>(l.tp) * l.cp * l.pp));
  e.global_batch = batch_for(static_cast<int64_t>(e.dp) * l.micro_batch * (l.vpp > 1 ? l.pp : 1), target, tolerance);
  e.zero = 1;
  e.sequence_parallel = l.tp > 1;
  e.recompute = l.recompute.mode;
  e.recompute_moe = l.recompute.moe;
  e.last_stage_layers = l.last_stage_layers;
  e.embedding_stage = e.loss_stage = l.embedding_loss_stages;
  // Interleaved: the sends of one chunk hidden behind another's compute, as Megatron-Bridge's and
  // NeMo's recipes set overlap_p2p_comm whenever vpp > 1.
  e.vpp = l.vpp;
  e.overlap_p2p = l.vpp > 1;
  return e;
}

std::vector<RecomputeChoice> recompute_ladder(const workload::ModelSpec& m) {
  using workload::Recompute;
  std::vector<RecomputeChoice> steps{{Recompute::none, false}, {Recompute::selective, false}};
  if (m.moe.experts > 0) steps.push_back({Recompute::selective, true});
  steps.push_back({Recompute::full, false});
  return steps;
}

std::string recompute_text(const workload::Execution& e) {
  return std::string(workload::recompute_name(e.recompute)) + (e.recompute_moe ? "+moe" : "");
}

bool embedding_loss_stages(const workload::Execution& e) { return e.embedding_stage && e.loss_stage; }

std::string pipeline_text(const workload::Execution& e) { return std::to_string(e.pp) + (embedding_loss_stages(e) ? "e" : ""); }

}  // namespace rackscope::size
