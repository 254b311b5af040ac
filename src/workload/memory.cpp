#include "workload/memory.hpp"

#include <algorithm>

#include "workload/counts.hpp"
#include "workload/cross_entropy.hpp"
#include "workload/layer_work.hpp"
#include "workload/numerics.hpp"
#include "workload/pipeline_layout.hpp"

namespace rackscope::workload {

std::pair<int, int> stage_layers(const ModelSpec& m, const Execution& e, int stage) {
  if (e.first_stage_layers == 0 && e.last_stage_layers == 0 && !e.embedding_stage && !e.loss_stage) {
    const int base = m.layers / e.pp, extra = m.layers % e.pp;  // the even split, without a vector
    const int first = stage * base + std::min(stage, extra);
    return {first, first + base + (stage < extra ? 1 : 0)};
  }
  return pipeline_layout(m, e).range(stage);
}

StateBytes state_bytes(const Execution& e) {
  StateBytes b;
  const bool narrow_weights = e.fp8_params && hw::narrow_gemm(e.precision);
  b.weights = narrow_weights ? hw::stored_bytes(e.precision) : activation_bytes;
  b.gradients = hw::stored_bytes(e.grad_reduce);
  const double state = hw::stored_bytes(e.optimizer_states);
  const bool fp32_states = e.optimizer_states == Precision::fp32;
  b.master = fp32_states ? 4 : narrow_weights ? activation_bytes : 0;
  b.optimizer = 2 * state + b.master;
  return b;
}

namespace {
// The parameters of layers [first, last) held by one rank.
RankParams layer_range_params(const ModelSpec& m, const Execution& e, int first, int last) {
  RankParams n;
  // One rank's share of a layer of each kind, computed once, added layer by layer as before.
  RankParams per_kind[2];
  bool ready[2] = {false, false};
  for (int l = first; l < last; ++l) {
    const bool moe = is_moe_layer(m, l);
    if (!ready[moe]) {
      const auto p = layer_params(m, l);
      if (moe) {
        const double router = static_cast<double>(m.hidden) * m.moe.experts;
        const double shared = (p.mlp - router) * m.moe.shared_experts / (m.moe.experts + m.moe.shared_experts);
        const double experts = (p.mlp - router - shared) / (static_cast<double>(expert_tp(e)) * e.ep);
        per_kind[moe] = {p.attention / e.tp + experts + shared / e.tp + router + p.norms, experts};
      } else {
        per_kind[moe] = {(p.attention + p.mlp) / e.tp + p.norms, 0};
      }
      ready[moe] = true;
    }
    n.all += per_kind[moe].all;
    n.experts += per_kind[moe].experts;
  }
  return n;
}

// A stage's layer parameters `n` plus the embedding (first stage) and output head (last stage).
double with_embeddings(const ModelSpec& m, const Execution& e, int stage, double n) {
  const double embedding = static_cast<double>(m.vocab) * m.hidden / e.tp;
  if (stage == 0) n += embedding + (m.learned_positions ? static_cast<double>(m.seq) * m.hidden : 0);
  // The last stage holds the output head (a copy of the tied embedding when pp > 1).
  if (stage == e.pp - 1 && (!m.tied_embeddings || e.pp > 1)) n += embedding;
  return n;
}
// One multi-token-prediction module's parameters held by a rank: a layer of the last layer's
// kind, the 2h -> h projection (split like the layers' dense matrices) and its two input norms.
RankParams mtp_module_rank_params(const ModelSpec& m, const Execution& e) {
  RankParams p = layer_range_params(m, e, m.layers - 1, m.layers);
  const double h = m.hidden;
  p.all += 2 * h * h / e.tp + 2 * h;
  return p;
}

// The same for a stage's layer parameters with their experts' share (embeddings are dense), and
// on the last stage the multi-token-prediction modules.
RankParams with_embeddings(const ModelSpec& m, const Execution& e, int stage, const RankParams& layers) {
  RankParams n{with_embeddings(m, e, stage, layers.all), layers.experts};
  if (stage == e.pp - 1 && m.mtp_depth > 0) {
    const RankParams mtp = mtp_module_rank_params(m, e);
    n.all += m.mtp_depth * mtp.all, n.experts += m.mtp_depth * mtp.experts;
  }
  return n;
}
}  // namespace

double RankParams::held(const Execution& e, bool sharded, double bytes_per_param) const {
  if (!sharded) return all * bytes_per_param;
  return ((all - experts) / param_replicas(e) + experts / expert_replicas(e)) * bytes_per_param;
}

double stage_params_per_rank(const ModelSpec& m, const Execution& e, int stage, bool embeddings) {
  const auto [first, last] = stage_layers(m, e, stage);
  const RankParams layers = layer_range_params(m, e, first, last);
  return embeddings ? with_embeddings(m, e, stage, layers).all : layers.all;
}

RankParams max_stage_params_per_rank(const ModelSpec& m, const Execution& e) {
  StageSums<RankParams> sums(m);
  RankParams most;
  for (int stage = 0; stage < e.pp; ++stage) {
    // Named ints, not a structured binding: lambdas below capture them (clang 14, the fuzz build).
    const auto range = stage_layers(m, e, stage);
    const int first = range.first, last = range.second;
    const RankParams layers = sums(first, last, [&] { return layer_range_params(m, e, first, last); });
    const RankParams held = with_embeddings(m, e, stage, layers);
    if (held.all > most.all) most = held;
  }
  return most;
}

namespace {
// Bytes of communication buffers one rank holds besides its states and activations.
double communication_buffers(const ModelSpec& m, const Execution& e, int seq, double layer_params, const StateBytes& b) {
  const double tokens = e.micro_batch * static_cast<double>(seq) / e.cp;
  const double hidden_stream = activation_bytes * tokens * m.hidden;  // one micro-batch's hidden states
  double bytes = 0;
  // Sequence parallelism gathers the full sequence into one reused buffer (Megatron's global
  // memory buffer; NxD likewise materialises the all-gather's output).
  if (e.tp > 1 && e.sequence_parallel) bytes += hidden_stream;
  // ZeRO-3 holds the layer being computed and the one being prefetched unsharded, and one layer's
  // full gradients before they are reduce-scattered.
  if (e.zero >= 3 && param_replicas(e) > 1) bytes += layer_params * (2 * b.weights + b.gradients);
  // 1F1B keeps one send and one receive slot per direction for activations and their gradients.
  if (e.pp > 1) bytes += 4 * hidden_stream / (e.sequence_parallel ? e.tp : 1);
  return bytes;
}
}  // namespace

MemoryUse memory_per_rank(const ModelSpec& m, const Execution& e, int seq, bool flash, int micro_batches, const StateBytes& b) {
  MemoryUse best;
  // A layer's activations depend only on its kind (dense or MoE): each kind's once.
  double activations[2] = {0, 0};
  for (int kind = 0; kind < 2; ++kind) {
    const int layer = kind == 0 ? 0 : m.moe.dense_layers;  // the first layer of that kind, if any
    if (layer < m.layers && is_moe_layer(m, layer) == (kind == 1)) activations[kind] = layer_activation_bytes(m, layer, e, seq, flash);
  }
  StageSums<RankParams> params(m);
  StageSums<double> activation_sums(m);
  for (int stage = 0; stage < e.pp; ++stage) {
    MemoryUse u;
    // Named ints, not a structured binding: lambdas below capture them (clang 14, the fuzz build).
    const auto range = stage_layers(m, e, stage);
    const int first = range.first, last = range.second;
    const RankParams layers = params(first, last, [&] { return layer_range_params(m, e, first, last); });
    u.layer_params = layers.all;
    const RankParams held = with_embeddings(m, e, stage, layers);
    u.params = held.all, u.expert_params = held.experts;
    // ZeRO shards over the ranks holding the same parameters (data and context parallel; the
    // experts' over those holding the same experts).
    u.weights_B = held.held(e, e.zero >= 3, b.weights);
    u.gradients_B = held.held(e, e.zero >= 2, b.gradients);
    u.optimizer_B = held.held(e, e.zero >= 1, b.optimizer);
    const double per_mb = activation_sums(first, last, [&] {
      double sum = 0;
      for (int l = first; l < last; ++l) sum += activations[is_moe_layer(m, l)];
      return sum;
    });
    // 1F1B: stage i keeps pp - i micro-batches in flight. Interleaved (Megatron-Core's
    // get_pp_rank_microbatches): rank i runs 2 (pp - i - 1) + (vpp - 1) pp model-chunk forwards
    // before its first backward, then one more, each chunk a vpp-th of the stage's layers; on the
    // first stage that is pp + (pp - 1)/vpp stages' worth (Korthikanti et al. 2022 sec. 4.2), and
    // even the last keeps (vpp - 1) pp chunks, not one micro-batch.
    const double in_flight = std::min(micro_batches, e.pp - stage);
    const double chunks_in_flight = std::min(static_cast<double>(micro_batches) * e.vpp,
                                             2.0 * (e.pp - stage - 1) + (e.vpp - 1.0) * e.pp + 1);
    u.activations_B = per_mb * (e.vpp > 1 ? chunks_in_flight / e.vpp : in_flight);
    if (stage == e.pp - 1) {
      const double tokens = e.micro_batch * static_cast<double>(seq) / e.cp;
      // Each multi-token-prediction module keeps a layer's activations of the last layer's kind
      // and its projection's 2h-wide input, for every micro-batch in flight.
      const double mtp = activations[is_moe_layer(m, m.layers - 1)] + activation_bytes * tokens * 2 * m.hidden / e.tp;
      u.activations_B += m.mtp_depth * mtp * in_flight;
      // the logits the loss keeps for its backward (fp32, or Transformer Engine's bf16 ones), of
      // one micro-batch, for the model's loss and each prediction module's
      u.activations_B += (1 + m.mtp_depth) * cross_entropy_cost(e.cross_entropy).kept_bytes * tokens * m.vocab / e.tp;
    }
    u.buffers_B = communication_buffers(m, e, seq, u.layer_params / (last - first), b);
    if (u.total() > best.total()) best = u;
  }
  return best;
}

}  // namespace rackscope::workload
