// Multi-token prediction (ModelSpec::mtp_depth, DeepSeek-V3 sec. 2.2): what each module adds to the
// last pipeline stage's parameters, activations and work, against hand-derived forms.
#include <doctest/doctest.h>

#include "workload/counts.hpp"
#include "workload/layer_work.hpp"
#include "workload/memory.hpp"
#include "../unit/test_models.hpp"

using namespace rackscope;

TEST_CASE("mtp: a module is a layer of the last layer's kind, a 2h -> h projection and two norms, on the last stage") {
  // The fine-grained MoE (hidden 2048, 64 experts of FFN 1408, top-6, 16 heads of 128, RMSNorm):
  // attention 4 h^2; experts 64 x 3 x 2048 x 1408, router 2048 x 64; two norms of h in the layer,
  // and the module's own projection 2 h^2 and its two input norms 2 h.
  workload::ModelSpec m = test::fine_grained_moe();
  const double h = 2048, attention = 4 * h * h, expert = 3 * h * 1408, router = h * 64, norms = 2 * h;
  const double own = 2 * h * h + 2 * h;
  m.mtp_depth = 1;
  const auto p = workload::mtp_module_params(m);
  CHECK(p.total == doctest::Approx(attention + 64 * expert + router + norms + own));
  CHECK(p.active == doctest::Approx(attention + 6 * expert + router + norms + own));
  // Published sizes leave the modules out.
  workload::ModelSpec plain = m;
  plain.mtp_depth = 0;
  CHECK(workload::total_params(m) == workload::total_params(plain));

  // TP 2 (experts split like TP), PP 2: the last stage holds one rank's share of each module,
  // the first stage nothing more.
  workload::Execution e;
  e.tp = 2, e.pp = 2;
  const double per_rank = attention / 2 + 64 * expert / 2 + router + norms + 2 * h * h / 2 + 2 * h;
  CHECK(workload::stage_params_per_rank(m, e, 1) - workload::stage_params_per_rank(plain, e, 1) == doctest::Approx(per_rank));
  CHECK(workload::stage_params_per_rank(m, e, 0) == workload::stage_params_per_rank(plain, e, 0));
  m.mtp_depth = 2;
  CHECK(workload::stage_params_per_rank(m, e, 1) - workload::stage_params_per_rank(plain, e, 1) == doctest::Approx(2 * per_rank));
}

TEST_CASE("mtp: each module keeps a layer's activations, its projection's input and its own fp32 logits") {
  // One stage (pp 1: one micro-batch in flight), TP 2, one sequence of 4096 tokens, bf16, flash:
  // a module adds the MoE layer's activations, the 2h-wide projection input (2 bytes, split by
  // TP) and 4 x 4096 x 32000 / 2 bytes of logits for its loss.
  workload::ModelSpec m = test::fine_grained_moe();
  workload::ModelSpec plain = m;
  m.mtp_depth = 1;
  workload::Execution e;
  e.tp = 2;
  const double tokens = 4096, h = 2048;
  const double layer = workload::layer_activation_bytes(m, 1, e, 4096, true);
  const double added = layer + 2 * tokens * 2 * h / 2 + 4 * tokens * 32000 / 2;
  const auto b = workload::state_bytes(e);
  CHECK(workload::memory_per_rank(m, e, 4096, true, 4, b).activations_B - workload::memory_per_rank(plain, e, 4096, true, 4, b).activations_B ==
        doctest::Approx(added));
}

TEST_CASE("mtp: the projection's work is one GEMM of 2h by h / tp per token and two norms") {
  workload::ModelSpec m = test::fine_grained_moe();
  m.mtp_depth = 1;
  workload::Execution e;
  e.tp = 2;
  const workload::LayerWork w = workload::mtp_projection_forward(m, e, 4096);
  const double tokens = 4096, h = 2048;
  CHECK(w.matmul.flops == doctest::Approx(2 * tokens * 2 * h * h / 2));
  REQUIRE(w.gemms.size() == 1);
  CHECK(w.gemms[0].in == doctest::Approx(2 * h));
  CHECK(w.gemms[0].out == doctest::Approx(h / 2));
  CHECK(w.elementwise.bytes == doctest::Approx(2 * 2 * 2 * tokens * h));
}
