#include "io/model_reader.hpp"

#include <fmt/format.h>

namespace rackscope::io {
using units::Dimension;

workload::ModelSpec read_model(const std::string& path, const Overrides& overrides, InputFiles& files) {
  const InputFile& file = files.load(path, "model", overrides);
  workload::ModelSpec m;
  StrictTable top = open_top(file, {"layers", "hidden", "ffn", "heads", "kv_heads", "head_dim", "vocab", "seq", "activation", "norm",
                                    "attention", "biases", "dropout", "tied_embeddings", "learned_positions", "published_params", "mla", "moe",
                                    "sliding_window", "mtp"},
                             m.name);
  m.file = file.path;
  m.layers = static_cast<int>(top.integer("layers", 1, 100000));
  m.hidden = static_cast<int>(top.integer("hidden", 1, 1 << 20));
  m.ffn = static_cast<int>(top.integer("ffn", 1, 1 << 22));
  m.heads = static_cast<int>(top.integer("heads", 1, 1 << 16));
  m.kv_heads = static_cast<int>(top.optional_integer("kv_heads", 1, m.heads).value_or(m.heads));
  if (m.heads % m.kv_heads != 0) top.fail("kv_heads", "must divide heads", "a divisor of " + std::to_string(m.heads));
  m.head_dim = static_cast<int>(top.optional_integer("head_dim", 1, 1 << 16).value_or(m.hidden / m.heads));
  m.vocab = static_cast<int>(top.integer("vocab", 1, 1 << 24));
  m.seq = static_cast<int>(top.integer("seq", 1, 1 << 24));
  const std::string activation = top.choice("activation", {"gelu", "swiglu", "squared_relu"});
  m.activation = activation == "swiglu"         ? workload::Activation::swiglu
                 : activation == "squared_relu" ? workload::Activation::squared_relu
                                                : workload::Activation::gelu;
  m.norm = top.choice("norm", {"layernorm", "rmsnorm"}) == "rmsnorm" ? workload::Norm::rmsnorm : workload::Norm::layernorm;
  m.attention = top.optional_choice("attention", {"standard", "mla"}).value_or("standard") == "mla" ? workload::Attention::mla
                                                                                                  : workload::Attention::standard;
  m.biases = top.boolean("biases", false);
  m.dropout = top.boolean("dropout", false);
  m.tied_embeddings = top.boolean("tied_embeddings", false);
  m.learned_positions = top.boolean("learned_positions", false);
  m.published_params = top.optional_positive_number("published_params").value_or(0);
  if (m.attention == workload::Attention::mla) {
    StrictTable a = top.table("mla");
    a.expect({"q_lora_rank", "kv_lora_rank", "qk_nope_dim", "qk_rope_dim", "v_head_dim"});
    m.mla.q_lora_rank = static_cast<int>(a.integer("q_lora_rank", 1, 1 << 20));
    m.mla.kv_lora_rank = static_cast<int>(a.integer("kv_lora_rank", 1, 1 << 20));
    m.mla.qk_nope_dim = static_cast<int>(a.integer("qk_nope_dim", 1, 1 << 16));
    m.mla.qk_rope_dim = static_cast<int>(a.integer("qk_rope_dim", 1, 1 << 16));
    m.mla.v_head_dim = static_cast<int>(a.integer("v_head_dim", 1, 1 << 16));
  }
  if (auto moe = top.optional_table("moe")) {
    moe->expect({"experts", "top_k", "expert_ffn", "shared_experts", "dense_layers", "capacity_factor", "pad_to_capacity", "load_imbalance",
                 "route_groups", "route_group_topk"});
    m.moe.experts = static_cast<int>(moe->integer("experts", 1, 1 << 16));
    m.moe.top_k = static_cast<int>(moe->integer("top_k", 1, m.moe.experts));
    m.moe.expert_ffn = static_cast<int>(moe->integer("expert_ffn", 1, 1 << 22));
    m.moe.shared_experts = static_cast<int>(moe->optional_integer("shared_experts", 0, 1 << 10).value_or(0));
    m.moe.dense_layers = static_cast<int>(moe->optional_integer("dense_layers", 0, m.layers).value_or(0));
    m.moe.capacity_factor = moe->optional_positive_number("capacity_factor").value_or(0);
    m.moe.pad_to_capacity = moe->boolean("pad_to_capacity", false);
    if (m.moe.pad_to_capacity && m.moe.capacity_factor == 0)
      moe->fail("pad_to_capacity", "needs a capacity_factor (dropless experts have no capacity to pad to)", "capacity_factor = 1.0");
    m.moe.load_imbalance = moe->optional_positive_number("load_imbalance").value_or(1);
    if (m.moe.load_imbalance < 1 || m.moe.load_imbalance > m.moe.experts)
      moe->fail("load_imbalance", "the busiest expert's tokens over the mean: at least 1, at most the experts", fmt::format("1 to {}", m.moe.experts));
    if (moe->has("route_groups") || moe->has("route_group_topk")) {
      const int experts = m.moe.experts;
      m.moe.route_groups = static_cast<int>(moe->integer("route_groups", 1, experts));
      if (experts % m.moe.route_groups != 0)
        moe->fail("route_groups", fmt::format("{} groups do not split {} experts evenly", m.moe.route_groups, experts),
                  "a divisor of the experts");
      m.moe.route_group_topk = static_cast<int>(moe->integer("route_group_topk", 1, m.moe.route_groups));
      if (int64_t{m.moe.route_group_topk} * (experts / m.moe.route_groups) < m.moe.top_k)
        moe->fail("route_group_topk", fmt::format("the picked groups hold {} x {} experts, fewer than top_k = {}", m.moe.route_group_topk,
                                                  experts / m.moe.route_groups, m.moe.top_k),
                  fmt::format("at least {}", (m.moe.top_k + experts / m.moe.route_groups - 1) / (experts / m.moe.route_groups)));
    }
  }
  if (auto w = top.optional_table("sliding_window")) {
    w->expect({"tokens", "period", "full_layers"});
    m.sliding_window.tokens = static_cast<int>(w->integer("tokens", 1, 1 << 24));
    m.sliding_window.period = static_cast<int>(w->optional_integer("period", 1, m.layers).value_or(1));
    m.sliding_window.full_layers = static_cast<int>(w->optional_integer("full_layers", 0, m.layers).value_or(0));
    if (m.sliding_window.full_layers >= m.sliding_window.period)
      w->fail("full_layers", fmt::format("{} full-attention layers in every {} leave no window layer", m.sliding_window.full_layers,
                                         m.sliding_window.period),
              fmt::format("0 to {}", m.sliding_window.period - 1));
  }
  if (auto mtp = top.optional_table("mtp")) {
    mtp->expect({"depth"});
    m.mtp_depth = static_cast<int>(mtp->integer("depth", 1, 64));
  }
  top.finish();
  overrides.check_all_used();
  return m;
}

namespace {
// A measured curve's x axis: `efficiency` is one fraction, or one per entry of `sizes`
// (increasing). The sizes, empty for a single efficiency.
std::vector<double> curve_sizes(StrictTable& t, const std::vector<double>& efficiency, const std::string& example) {
  if (!t.has("sizes")) {
    if (efficiency.size() != 1)
      t.fail("efficiency", "a list of efficiencies needs `sizes`", "efficiency = 0.8, or sizes = [...] with efficiency = [...]");
    return {};
  }
  const std::vector<int64_t> raw = t.integer_array("sizes", 1, int64_t{1} << 24);
  if (raw.size() != efficiency.size())
    t.fail("sizes", fmt::format("{} sizes for {} efficiencies", raw.size(), efficiency.size()), "one size per efficiency");
  std::vector<double> sizes;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (i > 0 && raw[i] <= raw[i - 1]) t.fail("sizes", "sizes must increase", example);
    sizes.push_back(static_cast<double>(raw[i]));
  }
  return sizes;
}

std::vector<std::pair<double, double>> curve(const std::vector<double>& sizes, const std::vector<double>& values) {
  std::vector<std::pair<double, double>> c;
  for (size_t i = 0; i < values.size() && i < sizes.size(); ++i) c.emplace_back(sizes[i], values[i]);
  return c;
}
}  // namespace

compute::Profile read_compute_profile(const InputFile& file) {
  compute::Profile p;
  StrictTable top = open_top(file, {"matmul", "attention", "elementwise", "launch", "step_overhead", "accuracy"}, p.name);
  p.file = file.path;
  p.step_overhead_s = top.quantity("step_overhead", Dimension::time, true);
  StrictTable mm = top.table("matmul");
  mm.expect({"efficiency", "sizes", "kernel_overhead", "roofline_norm", "block_scaled_efficiency", "bf16_factor"});
  // One efficiency for every GEMM, or a curve: efficiency[i] at sizes[i] (increasing).
  const std::vector<double> eff = mm.fraction_list("efficiency");
  p.matmul_curve = curve(curve_sizes(mm, eff, "e.g. [1024, 2048, 4096]"), eff);
  p.matmul_efficiency = eff.back();
  p.matmul_overhead_s = mm.quantity("kernel_overhead", Dimension::time, true);
  if (auto norm = mm.optional_positive_number("roofline_norm")) {
    if (*norm < 1 || *norm > 64)
      mm.fail("roofline_norm", fmt::format("{} is outside [1, 64]", *norm), "1 (compute + memory) to 64 (about their max), e.g. 2");
    p.gemm_roofline_norm = *norm;
  }
  p.block_scaled_efficiency = mm.optional_fraction("block_scaled_efficiency").value_or(1.0);
  // BF16 GEMMs' fraction of their peak over the curve's (a curve measured in FP8), at most 2.
  if (auto f = mm.optional_positive_number("bf16_factor")) {
    if (*f > 2) mm.fail("bf16_factor", fmt::format("{} is above 2", *f), "a ratio of two fractions of peak near 1, e.g. 1.05");
    p.matmul_16bit_factor = *f;
  }
  StrictTable at = top.table("attention");
  at.expect({"kernel", "efficiency", "backward_factor", "sizes", "causal", "backward", "head_dims", "head_dim_forward", "head_dim_causal",
             "head_dim_backward"});
  p.flash_attention = at.choice("kernel", {"flash", "unfused"}) == "flash";
  // One efficiency, or a curve against the sequence length with, along the same sizes, what a
  // causal mask keeps of the rate and the backward's efficiency.
  const std::vector<double> at_eff = at.fraction_list("efficiency");
  p.attention_efficiency = at_eff.back();
  const std::vector<double> at_sizes = curve_sizes(at, at_eff, "e.g. [2048, 4096, 8192]");
  auto along = [&](const std::string& key) {
    if (!at.has(key)) return std::vector<double>{};
    if (at_sizes.empty()) at.fail(key, "a curve along sequence lengths needs `sizes`", "sizes = [...] with efficiency = [...]");
    const std::vector<double> v = at.fraction_list(key);
    if (v.size() != at_sizes.size())
      at.fail(key, fmt::format("{} values for {} sizes", v.size(), at_sizes.size()), "one value per sequence length");
    return v;
  };
  p.attention_curve = curve(at_sizes, at_eff);
  p.causal_curve = curve(at_sizes, along("causal"));
  p.attention_backward_curve = curve(at_sizes, along("backward"));
  if (!p.attention_backward_curve.empty() && at.has("backward_factor"))
    at.fail("backward_factor", "both a backward efficiency curve and a backward factor", "one of `backward` or `backward_factor`");
  p.attention_backward_factor = at.optional_positive_number("backward_factor").value_or(0.0);
  // The rates at other head dimensions, each a factor per entry of `head_dims` (increasing).
  if (at.has("head_dims")) {
    std::vector<double> dims;
    for (int64_t d : at.integer_array("head_dims", 1, 1 << 16)) {
      if (!dims.empty() && d <= dims.back()) at.fail("head_dims", "head dimensions must increase", "e.g. [64, 128, 256]");
      dims.push_back(static_cast<double>(d));
    }
    auto factors = [&](const std::string& key) {
      const std::vector<double> v = at.fraction_list(key);
      if (v.size() != dims.size())
        at.fail(key, fmt::format("{} values for {} head dimensions", v.size(), dims.size()), "one value per entry of head_dims");
      return curve(dims, v);
    };
    p.head_dim_forward = factors("head_dim_forward");
    p.head_dim_causal = factors("head_dim_causal");
    p.head_dim_backward = factors("head_dim_backward");
  } else {
    for (const char* key : {"head_dim_forward", "head_dim_causal", "head_dim_backward"})
      if (at.has(key)) at.fail(key, "factors by head dimension need `head_dims`", "head_dims = [64, 128, 256] with one factor each");
  }
  StrictTable ew = top.table("elementwise");
  ew.expect({"bandwidth_efficiency", "kernel_overhead", "cast_bandwidth_efficiency", "block_cast_bandwidth_efficiency"});
  p.memory_efficiency = ew.fraction("bandwidth_efficiency");
  p.cast_efficiency = ew.optional_fraction("cast_bandwidth_efficiency").value_or(0.0);
  p.block_cast_efficiency = ew.optional_fraction("block_cast_bandwidth_efficiency").value_or(0.0);
  p.elementwise_overhead_s = ew.quantity("kernel_overhead", Dimension::time, true);
  if (auto launch = top.optional_table("launch")) {
    launch->expect({"host_per_kernel"});
    p.host_per_kernel_s = launch->quantity("host_per_kernel", Dimension::time, true);
  }
  if (auto acc = top.optional_table("accuracy")) {
    // The validation spread of this profile's chip family: a band on every time-to-train.
    acc->expect({"faster", "slower", "measured"});
    p.time_error_low = acc->share("faster");
    p.time_error_high = acc->positive_number("slower");
    p.accuracy_measured = acc->boolean("measured", false);
    p.has_accuracy = true;
  }
  top.finish();
  return p;
}

}  // namespace rackscope::io
