#include "cli/size_json.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "cli/terms_json.hpp"
#include "size/layouts.hpp"

namespace rackscope::cli {
namespace {

constexpr double kDay = 86400;

// JSON has no NaN: null stands for "not computed" and reads back as NaN.
double number(const nlohmann::json& j, const char* key) {
  const auto& v = j.at(key);
  return v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>();
}

// Names as recompute_name() writes them (the execution vocabulary's own table).
workload::Recompute recompute_from(const std::string& s) {
  for (auto r : {workload::Recompute::none, workload::Recompute::selective, workload::Recompute::full})
    if (s == workload::recompute_name(r)) return r;
  throw std::logic_error("size: an option carries an unknown recompute mode '" + s + "'");
}

// The step's seconds per term, as terms_json writes them.
eval::Breakdown breakdown_from(const nlohmann::json& j) {
  eval::Breakdown b;
  for (std::size_t t = 0; t < eval::term_count; ++t) b.s[t] = number(j, eval::term_names[t]);
  return b;
}

}  // namespace

nlohmann::json parallelism_json(const workload::Execution& e) {
  return {{"tp", e.tp}, {"pp", e.pp}, {"vpp", e.vpp}, {"cp", e.cp}, {"dp", e.dp}, {"ep", e.ep}, {"etp", workload::expert_tp(e)}, {"micro_batch", e.micro_batch},
          {"global_batch", e.global_batch}, {"recompute", workload::recompute_name(e.recompute)},
          {"recompute_moe", e.recompute_moe}, {"last_stage_layers", e.last_stage_layers},
          {"embedding_loss_stages", size::embedding_loss_stages(e)}, {"overlap_p2p", e.overlap_p2p}, {"zero", e.zero},
          {"sequence_parallel", e.sequence_parallel}};
}

nlohmann::json option_json(const size::Option& o) {
  const auto& e = o.execution;
  return {{"rack", o.rack},
          {"packaging", o.packaging},
          {"candidate", o.candidate},
          {"racks", o.racks},
          {"chips", o.chips},
          {"parallelism", parallelism_json(e)},
          {"step_time_s", o.step_time_s},
          {"tokens_per_s", o.tokens_per_s},
          {"mfu", o.mfu},
          {"breakdown", terms_json(eval::term_names, o.breakdown.s)},
          {"memory_fraction", o.memory_fraction},
          {"work_days", o.work_s / kDay},
          {"time_to_train_days", o.wall_s.value / kDay},
          {"time_to_train_days_low", o.wall_s.low / kDay},
          {"time_to_train_days_high", o.wall_s.high / kDay},
          {"band_measured", o.band_measured},
          {"goodput", o.goodput},
          {"interruptions", o.interruptions},
          {"checkpoint_interval_h", o.checkpoint_interval_s / 3600},
          {"capex_usd", o.capex_usd.value},
          {"tco_usd", o.tco_usd.value},
          {"tco_usd_low", o.tco_usd.low},
          {"tco_usd_high", o.tco_usd.high},
          {"energy_MWh", o.energy_MWh},
          {"peak_power_MW", o.peak_power_MW},
          {"load_power_MW", o.load_power_MW},
          {"supply_chips", o.supply_chips},
          {"supply_chips_low", o.supply_low},
          {"supply_chips_high", o.supply_high},
          {"assumed", o.assumed},
          {"feasible", o.feasible},
          {"binding_constraint", o.binding},
          {"reject", o.reject},
          {"objective", o.objective}};
}

size::Option option_from_json(const nlohmann::json& j) {
  size::Option o;
  o.rack = j.at("rack").get<std::string>();
  o.packaging = j.at("packaging").get<std::string>();
  o.candidate = j.at("candidate").get<int>();
  o.racks = j.at("racks").get<int>();
  o.chips = j.at("chips").get<int64_t>();
  const auto& p = j.at("parallelism");
  auto& e = o.execution;
  e.tp = p.at("tp"), e.pp = p.at("pp"), e.cp = p.at("cp"), e.dp = p.at("dp"), e.ep = p.at("ep");
  const int etp = p.at("etp");
  e.etp = etp == e.tp ? 0 : etp;  // 0: expert TP as TP, as the search sets it
  e.micro_batch = p.at("micro_batch"), e.global_batch = p.at("global_batch"), e.zero = p.at("zero");
  e.recompute = recompute_from(p.at("recompute").get<std::string>());
  e.recompute_moe = p.at("recompute_moe");
  e.last_stage_layers = p.at("last_stage_layers");
  e.embedding_stage = e.loss_stage = p.at("embedding_loss_stages").get<bool>();
  e.vpp = p.at("vpp");
  e.overlap_p2p = p.at("overlap_p2p");
  e.sequence_parallel = p.at("sequence_parallel");
  o.step_time_s = number(j, "step_time_s");
  o.tokens_per_s = number(j, "tokens_per_s");
  o.mfu = number(j, "mfu");
  o.breakdown = breakdown_from(j.at("breakdown"));
  o.memory_fraction = number(j, "memory_fraction");
  o.work_s = number(j, "work_days") * kDay;
  o.wall_s = {number(j, "time_to_train_days") * kDay, number(j, "time_to_train_days_low") * kDay, number(j, "time_to_train_days_high") * kDay};
  o.band_measured = j.at("band_measured");
  o.goodput = number(j, "goodput");
  o.interruptions = number(j, "interruptions");
  o.checkpoint_interval_s = number(j, "checkpoint_interval_h") * 3600;
  o.capex_usd = {number(j, "capex_usd"), number(j, "capex_usd"), number(j, "capex_usd")};
  o.tco_usd = {number(j, "tco_usd"), number(j, "tco_usd_low"), number(j, "tco_usd_high")};
  o.energy_MWh = number(j, "energy_MWh");
  o.peak_power_MW = number(j, "peak_power_MW");
  o.load_power_MW = number(j, "load_power_MW");
  o.supply_chips = number(j, "supply_chips");
  o.supply_low = number(j, "supply_chips_low");
  o.supply_high = number(j, "supply_chips_high");
  o.assumed = j.at("assumed");
  o.feasible = j.at("feasible");
  o.binding = j.at("binding_constraint").get<std::string>();
  o.reject = j.at("reject").get<std::string>();
  o.objective = number(j, "objective");
  return o;
}

}  // namespace rackscope::cli
