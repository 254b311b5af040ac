// The two failure channels below the CLI: a broken promise between layers (RACKSCOPE_ASSERT, an
// internal error) and configurations that cannot run (typed reasons evaluate() returns, counted
// by sweeps): a collective no algorithm of the runtime plans, a package that does not fit.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>

#include "collective/select.hpp"
#include "eval/evaluate.hpp"
#include "eval/step_parts.hpp"
#include "hw/package.hpp"
#include "io/model_reader.hpp"
#include "io/sweep_inputs.hpp"
#include "io/sweep_reader.hpp"
#include "sweep/evaluator.hpp"
#include "sweep/reasons.hpp"
#include "test_clusters.hpp"
#include "test_models.hpp"
#include "test_clusters.hpp"
#include "units/check.hpp"

using namespace rackscope;

namespace {
workload::ModelSpec model(const std::string& name) {
  io::InputFiles files;
  return io::read_model(std::string(RACKSCOPE_SOURCE_DIR) + "/workloads/models/" + name + ".toml", {}, files);
}

// Eight chips on one switch with room for Mixtral's states; the runtime implements `algorithms`.
hw::ClusterSpec moe_cluster(std::vector<std::string> algorithms) {
  hw::ClusterSpec spec = test::switch_cluster(8);
  spec.rack.chip.hbm_capacity_B = 1e13;
  spec.rack.chip.collectives.file = "runtimes/test.toml";
  spec.rack.chip.collectives.algorithms = std::move(algorithms);
  return spec;
}

workload::Execution ep8() {
  workload::Execution e;
  e.global_batch = 8, e.dp = 8, e.ep = 8, e.seq = 1024;
  return e;
}
}  // namespace

TEST_CASE("assert: a failed RACKSCOPE_ASSERT throws an internal error naming the condition and its place") {
  const int planned = 0;
  try {
    RACKSCOPE_ASSERT(planned > 0, "the planner promised a plan");
    FAIL("no throw");
  } catch (const InternalError& e) {
    CHECK(e.condition() == "planned > 0");
    CHECK(e.file().find("infeasible_reasons_test.cpp") != std::string::npos);
    CHECK(e.line() == __LINE__ - 5);
    CHECK(std::string(e.what()).rfind("internal error, please report: planned > 0 (the planner promised a plan) at ", 0) == 0);
  }
  CHECK_NOTHROW(RACKSCOPE_ASSERT(planned == 0, "holds"));
}

TEST_CASE("assert: a communicator past the fabric's last endpoint is an internal error, not a stray route") {
  const fabric::Fabric f(test::switch_cluster(4));
  collective::Planner p(f, f.spec().rack.chip.collectives);
  CHECK_THROWS_AS(p.best(collective::Op::allreduce, collective::Group{{0, 1, 2, 4}, {}}, 1e6), InternalError);
  CHECK(p.best(collective::Op::allreduce, collective::Group{{0, 1, 2, 3}, {}}, 1e6).has_value());
}

TEST_CASE("evaluate: EP on a runtime without an all-to-all algorithm is collective_unplanned, not a zero") {
  const workload::ModelSpec mixtral = model("mixtral-8x22b");
  compute::Profile profile;
  // "mesh" plans all-to-all (grouped sends); rings and trees do not.
  const hw::ClusterSpec with_mesh = moe_cluster({"ring", "tree", "mesh"});
  const fabric::Fabric f(with_mesh);
  collective::Planner planner(f, f.spec().rack.chip.collectives);
  const eval::Report ok = eval::evaluate({f, planner, profile}, mixtral, ep8());
  REQUIRE(ok.feasible());
  CHECK(ok.breakdown[eval::Term::ep_comm] > 0);

  const hw::ClusterSpec without = moe_cluster({"ring", "tree"});
  const fabric::Fabric g(without);
  collective::Planner none(g, g.spec().rack.chip.collectives);
  const eval::Report r = eval::evaluate({g, none, profile}, mixtral, ep8());
  CHECK(r.reason == workload::Infeasibility::collective_unplanned);
  CHECK(r.detail == "no algorithm of the collective runtime runtimes/test.toml (ring, tree) plans alltoall on a group of 8 ranks");
  CHECK(r.step_time_s == 0);
}

TEST_CASE("evaluate: a chip whose package does not fit is package_unfit, before any other check") {
  hw::ClusterSpec spec = test::switch_cluster(8);
  spec.rack.chip.file = "chips/over.toml";
  auto sheet = std::make_shared<hw::PackageSheet>();
  sheet->fits = false;
  sheet->problems = {{"hbm[0].stacks", "12 HBM stacks, but CoWoS-S holds at most 8 in 2025", "at most 8 HBM sites", 28},
                     {"dies", "the package needs more area", "", 12}};
  spec.rack.chip.package = sheet;
  const fabric::Fabric f(spec);
  collective::Planner planner(f, f.spec().rack.chip.collectives);
  compute::Profile profile;
  workload::Execution e;
  e.global_batch = 8, e.dp = 3;  // also a rank mismatch: the package is named first
  const eval::Report r = eval::evaluate({f, planner, profile}, model("llama-3.1-8b"), e);
  CHECK(r.reason == workload::Infeasibility::package_unfit);
  CHECK(r.detail ==
        "chips/over.toml:28: hbm[0].stacks: 12 HBM stacks, but CoWoS-S holds at most 8 in 2025 (valid: at most 8 HBM sites)"
        " (and 1 more: rackscope chip --check)");
  CHECK(eval::check_package(spec.rack.chip).reason == workload::Infeasibility::package_unfit);
  spec.rack.chip.package.reset();
  CHECK(eval::check_package(spec.rack.chip).feasible());
}

TEST_CASE("structure: MoE and MLA switches on a model without that part are not_applicable, not ignored") {
  workload::ModelSpec dense = test::transformer("dense", 2, 256, 1024, 4, 4, 64, 1000, 128);
  workload::Execution e;
  e.global_batch = 1;
  const hw::Chip chip = test::simple_chip();
  CHECK(eval::check_structure(dense, e, 1, dense.seq, chip).feasible());
  for (auto set : std::initializer_list<void (*)(workload::Execution&)>{
           [](workload::Execution& x) { x.moe_dispatcher = workload::MoeDispatcher::flex; },
           [](workload::Execution& x) { x.overlap_ep = true; }, [](workload::Execution& x) { x.recompute_moe_act = true; },
           [](workload::Execution& x) { x.recompute_moe = true; }, [](workload::Execution& x) { x.recompute_layernorm = true; },
           [](workload::Execution& x) { x.recompute_shared_experts = true; },
           [](workload::Execution& x) { x.tp = 2, x.etp = 1; }, [](workload::Execution& x) { x.recompute_mla_up_proj = true; }}) {
    workload::Execution x = e;
    set(x);
    CHECK(eval::check_structure(dense, x, x.tp, dense.seq, chip).reason == workload::Infeasibility::not_applicable);
  }
  // On an MoE model the MoE switches are accepted.
  workload::ModelSpec moe = test::fine_grained_moe();
  workload::Execution x = e;
  x.overlap_ep = true, x.recompute_moe_act = true, x.recompute_moe = true, x.recompute_layernorm = true, x.moe_dispatcher = workload::MoeDispatcher::flex;
  CHECK(eval::check_structure(moe, x, 1, moe.seq, chip).feasible());
  // recompute_mlp needs a dense FFN: every layer of this MoE model has experts.
  x = e;
  x.recompute_mlp = true;
  CHECK(eval::check_structure(dense, x, 1, dense.seq, chip).feasible());
  const eval::Report r = eval::check_structure(moe, x, 1, moe.seq, chip);
  CHECK(r.reason == workload::Infeasibility::not_applicable);
  CHECK(r.detail == "recompute_mlp needs dense FFN layers (fine-grained has experts in every layer)");
  moe.moe.dense_layers = 1;  // a leading dense layer (DeepSeek-V3 has 3): accepted
  CHECK(eval::check_structure(moe, x, 1, moe.seq, chip).feasible());
  // recompute_shared_experts needs shared experts: this MoE model has none until given two.
  x = e;
  x.recompute_shared_experts = true;
  CHECK(eval::check_structure(moe, x, 1, moe.seq, chip).detail == "recompute_shared_experts needs shared experts (fine-grained has none)");
  moe.moe.shared_experts = 2;
  CHECK(eval::check_structure(moe, x, 1, moe.seq, chip).feasible());
}

TEST_CASE("sweep: the new reasons have codes and names of their own") {
  const auto& names = sweep::reason_names();
  for (auto r : {workload::Infeasibility::collective_unplanned, workload::Infeasibility::package_unfit,
                 workload::Infeasibility::not_applicable}) {
    const int code = sweep::reason_code(r);
    REQUIRE(code < static_cast<int>(names.size()));
    CHECK(names[code] == workload::infeasibility_name(r));
  }
  CHECK(sweep::reason_code(sweep::Constraint::memory_budget) > sweep::reason_code(workload::Infeasibility::package_unfit));
}

TEST_CASE("sweep: a cluster whose chip does not fit is counted as package_unfit and the sweep goes on") {
  io::InputFiles files;
  const sweep::Spec spec = io::read_sweep(std::string(RACKSCOPE_SOURCE_DIR) + "/tests/unit/sweeps/package_unfit.toml", files);
  auto texts = std::make_shared<const io::Texts>(io::load_inputs(spec));  // reads both clusters without refusing
  sweep::Evaluator ev(spec, io::sweep_inputs(spec, texts));
  const sweep::Space& s = ev.space();
  int unfit = 0, other = 0;
  for (int64_t i = 0; i < s.total(); ++i) {
    const sweep::Result r = ev.evaluate(i);
    if (s.digit(i, 0) == 1) unfit += r.reason == sweep::reason_code(workload::Infeasibility::package_unfit);
    else other += r.reason != sweep::reason_code(workload::Infeasibility::package_unfit);
  }
  CHECK(unfit == s.total() / 2);  // every configuration on the chip that does not fit
  CHECK(other == s.total() / 2);  // none on the one that does
}
