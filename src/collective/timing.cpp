#include "collective/timing.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <utility>

#include "units/check.hpp"

namespace rackscope::collective {

Group first_ranks(const fabric::Fabric& f, int n) {
  Group g;
  for (int r = 0; r < std::min(n, f.endpoints()); ++r) g.endpoints.push_back(r);
  return g;
}

AlgorithmCost not_applicable(std::string why) {
  AlgorithmCost a;
  a.applicable = false;
  a.why_not = std::move(why);
  return a;
}

namespace {
// The busiest link of the scale-out network (NIC and switch links) and of the other tiers.
void split_by_tier(const fabric::Fabric& f, const fabric::PhaseLoads& loads, PhaseCost& cost) {
  const auto& links = f.links();
  for (int l : loads.touched()) {
    const fabric::Link& link = links[l];
    const bool net = link.tier == fabric::Tier::host || link.tier == fabric::Tier::scale_out;
    double& worst = net ? cost.network_seconds_per_byte : cost.local_seconds_per_byte;
    worst = std::max(worst, loads.bytes(l) / link.bandwidth_Bps);
  }
}
}  // namespace

const PhaseCost* PhaseScratch::find(const std::vector<Flow>& flows, const std::vector<int>& concurrent, uint64_t& hash) const {
  // FNV-1a over the flows (ends and bytes, bit for bit) and the siblings' offsets.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](uint64_t x) { h = (h ^ x) * 1099511628211ull; };
  for (const Flow& fl : flows) {
    uint64_t bits;
    std::memcpy(&bits, &fl.bytes, sizeof bits);
    mix(static_cast<uint32_t>(fl.src)), mix(static_cast<uint32_t>(fl.dst)), mix(bits);
  }
  mix(~0ull);
  for (int s : concurrent) mix(static_cast<uint32_t>(s));
  hash = h;
  const auto it = priced_.find(h);
  if (it == priced_.end()) return nullptr;
  auto same = [](const Flow& a, const Flow& b) { return a.src == b.src && a.dst == b.dst && a.bytes == b.bytes; };
  for (const Priced& p : it->second)
    if (p.concurrent == concurrent && std::equal(p.flows.begin(), p.flows.end(), flows.begin(), flows.end(), same)) return &p.cost;
  return nullptr;
}

void PhaseScratch::remember(uint64_t hash, const std::vector<Flow>& flows, const std::vector<int>& concurrent, const PhaseCost& cost) {
  priced_[hash].push_back({flows, concurrent, cost});
}

namespace {
// Routes a phase and its siblings' flows into `loads` and prices it by the busiest link.
PhaseCost route_phase(const fabric::Fabric& f, const Group& g, const std::vector<Flow>& flows, fabric::PhaseLoads& loads) {
  PhaseCost cost;
  for (const Flow& fl : flows) {
    const double lat = f.route(fl.src, fl.dst, fl.bytes, loads).latency_s;
    cost.latency_s = std::max(cost.latency_s, lat);
    const bool crosses = f.rack_of(fl.src) != f.rack_of(fl.dst);
    cost.network = cost.network || crosses;
    double& tier_latency = crosses ? cost.network_latency_s : cost.local_latency_s;
    tier_latency = std::max(tier_latency, lat);
  }
  // Siblings: each flow's own core (and die) links, then the links between its two chips, added
  // once for a run of siblings between the same chips (the cores of one chip share those routes
  // exactly; this keeps planning with many siblings cheap).
  const int endpoints = f.endpoints();
  for (const Flow& fl : flows) {
    int run_a = -1, run_b = -1;
    double run_bytes = 0;
    for (int shift : g.concurrent) {
      const int src = fl.src + shift, dst = fl.dst + shift;
      if (src >= endpoints || dst >= endpoints) continue;
      f.route_ends(src, dst, fl.bytes, loads);
      const int a = f.chip_of(src), b = f.chip_of(dst);
      if (a != run_a || b != run_b) {
        f.route_chips(run_a, run_b, run_bytes, loads);
        run_a = a, run_b = b, run_bytes = 0;
      }
      run_bytes += fl.bytes;
    }
    f.route_chips(run_a, run_b, run_bytes, loads);
  }
  cost.seconds_per_byte = f.max_link_time(loads);
  split_by_tier(f, loads, cost);
  loads.clear();
  return cost;
}
}  // namespace

PhaseCost price_phase(const fabric::Fabric& f, const Group& g, const std::vector<Flow>& flows, double repeat, PhaseScratch& loads) {
  uint64_t hash = 0;
  if (const PhaseCost* known = loads.find(flows, g.concurrent, hash)) {
    PhaseCost cost = *known;
    cost.repeat = repeat;
    return cost;
  }
  PhaseCost cost = route_phase(f, g, flows, loads);
  // The key is kept whole (no collision can return another phase's price): phases of very many
  // flows (a mesh or ring over a whole large cluster) are not kept, so memory stays that of the plans.
  if (flows.size() + g.concurrent.size() <= PhaseScratch::max_remembered) loads.remember(hash, flows, g.concurrent, cost);
  cost.repeat = repeat;
  return cost;
}

// NCCL's NVLS chunk for a message of `bytes` (src/enqueue.cc, calcCollChunking, NCCL 2.18-2.27):
// at most `max` (nvlsChunkSize, 128 KiB), then 64 KiB below 64 x ops x chunk, 32 KiB below
// 8 x ops x chunk, 16 KiB below 2 x ops x chunk, ops = channels x ranks.
double nvls_chunk(double bytes, double max, double ops) {
  double c = max;
  if (bytes < 64 * ops * c && c > 65536) c = 65536;
  if (bytes < 8 * ops * c && c > 32768) c = 32768;
  if (bytes < 2 * ops * c && c > 16384) c = 16384;
  return c;
}

double nvls_tree_chunk(double bytes, double max, double ops, int nodes) {
  double c = nodes >= 4 ? std::min(max, 65536.0) : max;
  if (bytes < 4 * ops * c && c > 65536) c = 65536;
  if (bytes < 1 * ops * c && c > 32768) c = 32768;
  return c;
}

namespace {
// Seconds per byte of a phase of `bytes`: its busiest link at the protocol's efficiency on that
// link's tier, or its floor (a chunked floor paying each chunk's fixed cost) when slower.
double per_byte(const PhaseCost& ph, const hw::Protocol& p, double bytes) {
  double floor = ph.floor_seconds_per_byte;
  if (ph.chunk_overhead_s > 0)
    floor += ph.chunk_overhead_s / (ph.chunk_tree ? nvls_tree_chunk(bytes, ph.chunk_max_B, ph.chunk_ops, ph.chunk_nodes)
                                                  : nvls_chunk(bytes, ph.chunk_max_B, ph.chunk_ops));
  if (!ph.network) return std::max(ph.seconds_per_byte / p.bandwidth_efficiency, floor);
  const double link = std::max(ph.local_seconds_per_byte / p.bandwidth_efficiency, ph.network_seconds_per_byte / p.network_efficiency());
  return std::max(link, floor);
}
// One step's latency inside a rack and across racks (the transport's own latency when the
// runtime states it, else the routes' link latencies), each with the protocol's step cost.
struct StepLatency {
  double local, network;
};
StepLatency step_latency(const PhaseCost& ph, const hw::Protocol& p, double transport_s) {
  return {ph.local_latency_s + p.step_latency_s, (transport_s > 0 ? transport_s : ph.network_latency_s) + p.network_step()};
}
// A step that waits for its slowest flow (runtimes that run steps in lockstep): the route
// latency and step cost of the slower tier, kept apart so that a runtime stating nothing for
// its network prices exactly as latency_s + step_latency.
std::pair<double, double> slowest_step(const PhaseCost& ph, const hw::Protocol& p, double transport_s) {
  const double net = transport_s > 0 ? transport_s : ph.network_latency_s;
  if (net + p.network_step() >= ph.local_latency_s + p.step_latency_s) return {net, p.network_step()};
  return {ph.local_latency_s, p.step_latency_s};
}

// A pipelined algorithm of m stages, mn of them across the network, cut into k chunks: every
// stage passes the first chunk on (the fill: each stage's own latency), then k - 1 more chunks
// leave at the pace of the slowest stage; each chunk's data crosses m + k - 1 steps of the
// busiest link: T(k) = (m + k - 1) (S/k) beta + fill + (k - 1) alpha_max.
double pipelined_time(const AlgorithmCost& a, double bytes, const hw::Protocol& p, double transport_s, int in_flight) {
  const PhaseCost& ph = a.phases.front();
  const double m = a.pipeline_stages;
  const double max_chunks = std::max(1.0, std::floor(bytes / std::max(a.min_chunk_bytes, 1.0)));
  const double beta = per_byte(ph, p, bytes);
  std::function<double(double)> time_of;
  double alpha_max = 0;
  if (in_flight == 1) {
    // One latency for every stage: the phase's own, or its slowest tier's when steps are lockstep.
    const auto [route, step] = ph.network ? slowest_step(ph, p, transport_s) : std::pair{ph.latency_s, p.step_latency_s};
    const double alpha = route + step;
    alpha_max = alpha;
    time_of = [=](double k) { return (m + k - 1) * (bytes / k * beta + alpha); };
  } else {
    const StepLatency lat = ph.network ? step_latency(ph, p, transport_s) : StepLatency{ph.latency_s + p.step_latency_s, 0};
    const double mn = a.network_pipeline_stages;
    const double fill = (m - mn) * lat.local + mn * lat.network;
    // Every connection keeps `in_flight` steps posted (NCCL_STEPS slots), so a chunk waits for
    // 1/in_flight of its stage's latency.
    alpha_max = std::max(lat.local, lat.network) / in_flight;
    time_of = [=](double k) { return (m + k - 1) * (bytes / k * beta) + fill + (k - 1) * alpha_max; };
  }
  double best_k = alpha_max > 0 ? std::sqrt(std::max(0.0, (m - 1) * bytes * beta / alpha_max)) : max_chunks;
  best_k = std::clamp(best_k, 1.0, max_chunks);
  const double lo = std::max(1.0, std::floor(best_k)), hi = std::min(max_chunks, std::ceil(best_k));
  return std::min(time_of(lo), time_of(hi));
}
}  // namespace

double algorithm_time(const AlgorithmCost& a, double bytes, const hw::Protocol& p, double launch_s, double transport_s, int in_flight) {
  in_flight = std::max(1, in_flight);
  if (a.pipeline_stages > 0) return launch_s + pipelined_time(a, bytes, p, transport_s, in_flight);
  double t = launch_s;
  double bubble = 0;
  const bool overlap = a.overlapped_phases && in_flight > 1;
  double data_sum = 0, data_max = 0;  // overlapped phases: their data times
  double stage_sum = 0;                // and, run in fixed chunks, each phase's times its stages
  const bool chunked = overlap && !a.stage_phases.empty();
  RACKSCOPE_ASSERT(!chunked || a.stage_phases.size() == a.phases.size(), "stage_phases names every phase's stages");
  for (size_t i = 0; i < a.phases.size(); ++i) {
    const PhaseCost& ph = a.phases[i];
    const double pb = per_byte(ph, p, bytes);
    // A runtime that keeps network steps in flight lets a ring piece move on as soon as it
    // arrives (NCCL): only the cross-rack share of its steps waits for the network. One that
    // runs its steps in lockstep (in_flight 1) waits for the slowest link at every step.
    const double share = in_flight > 1 ? ph.network_step_share : 1.0;
    if (overlap) {
      const StepLatency lat = step_latency(ph, p, transport_s);
      const double step = ph.network ? share * lat.network + (1 - share) * lat.local : ph.latency_s + p.step_latency_s;
      t += ph.repeat * step;
      data_sum += ph.repeat * bytes * pb;
      data_max = std::max(data_max, ph.repeat * bytes * pb);
      if (chunked) stage_sum += a.stage_phases[i] * ph.repeat * bytes * pb;
    } else if (!ph.network) {
      t += ph.repeat * (bytes * pb + ph.latency_s + p.step_latency_s);
    } else if (in_flight == 1) {
      const auto [route, step] = slowest_step(ph, p, transport_s);
      t += ph.repeat * (bytes * pb + route + step);
    } else {
      const StepLatency lat = step_latency(ph, p, transport_s);
      t += ph.repeat * (bytes * pb + share * lat.network + (1 - share) * lat.local);
    }
    if (ph.repeat >= 2 && ph.ring_pass) bubble = std::max(bubble, bytes * pb);
  }
  if (chunked) {
    // A pipeline of fixed chunks: with k chunks per channel and stage j taking tau_j of each, the
    // first chunk fills every stage (sum_j tau_j) and the other k - 1 leave at the steady pace of
    // the overlapped phases (below: the busiest whole, the others for one step in flight). A
    // phase's data time over k chunks is each of its stages' tau.
    const PhaseCost& first = a.phases.front();
    const double chunk = nvls_tree_chunk(bytes, first.chunk_max_B, first.chunk_ops, first.chunk_nodes);
    const double k = std::max(1.0, std::ceil(bytes / first.chunk_ops / chunk));
    t += stage_sum / k + (k - 1) / k * (data_max + (data_sum - data_max) / in_flight);
  } else if (overlap) {
    t += data_max + (data_sum - data_max) / in_flight;
  }
  // The unoverlapped last slice of a pass around a ring (NCCL Simple): a fraction of one step's
  // data time. Single-step phases (mesh, in-switch) make no pass and have no such bubble.
  return t + p.pipeline_bubble_steps * bubble;
}

}  // namespace rackscope::collective
