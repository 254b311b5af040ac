// Pipeline parallelism: activation sends between stages and the 1F1B bubble.
#include <algorithm>

#include "eval/step_parts.hpp"
#include "workload/numerics.hpp"

namespace rackscope::eval {

// Each micro-batch crosses each stage boundary forward and backward (once per model chunk when
// interleaved). With sequence parallelism each TP rank sends its own 1/tp of the activations.
// Without it the tensor is whole on every TP rank, and Megatron-LM's scatter/gather (Narayanan et
// al. 2021, sec. 4.1; p2p_communication.py, scatter_gather_tensors_in_pipeline, on by default)
// sends 1/tp of it from each TP rank over its own link and all-gathers it over TP on arrival.
double pipeline_send_time(const StepContext& c, const workload::ModelSpec& m, const workload::Execution& e, Communicators& comm) {
  if (e.pp < 2) return 0;
  using collective::Op;
  const double whole = c.tokens * m.hidden * workload::activation_bytes;
  double one_way;
  if (e.sequence_parallel) one_way = comm.time(Op::sendrecv, c.place.pp_pair, whole / e.tp);
  else if (e.tp > 1 && e.pp_scatter_gather)
    one_way = comm.time(Op::sendrecv, c.place.pp_pair, whole / e.tp) + comm.time(Op::allgather, c.place.tp, whole);
  else one_way = comm.time(Op::sendrecv, c.place.pp_pair, whole);
  return 2.0 * e.vpp * one_way;
}

// 1F1B: m micro-batches at the slowest stage's pace plus the fill and drain through every other
// stage once: a step of (m - 1) t_max + Σ t_i for stages taking t_i per micro-batch, which is
// (pp-1)/vpp micro-batch times when the stages are alike (Narayanan et al. 2021, sec. 2.2);
// interleaved, each stage adds its largest model chunk rather than all of it.
double pipeline_bubble(const workload::Execution& e, const StageTimes& stage, double send) {
  return stage.fill + (e.pp - 1.0) / e.vpp * send;
}

// With overlap_p2p (Megatron-Core's interleaved schedule, forward_backward_pipelining_with_
// interleaving): a chunk's forward output is sent, and the next chunk's input received, while the
// rank computes another chunk, so each of the vpp forward transfers hides behind one chunk's
// forward (stage forward / vpp) and each backward transfer behind one chunk's backward, less the
// compute the transfer's kernels take (`pp_share`: between racks, a send runs on fewer channels
// than a collective). The bubble's fill and drain still wait on them.
double pipeline_send_exposed(const StepContext& c, const workload::Execution& e, const StageTimes& stage, double send) {
  if (!e.overlap_p2p || e.vpp < 2 || send <= 0) return send;
  const double one_way = send / (2.0 * e.vpp);
  return e.vpp * (exposed_behind(one_way, stage.forward / e.vpp, c.pp_share) + exposed_behind(one_way, stage.backward / e.vpp, c.pp_share));
}

double steady_1f1b_share(const workload::Execution& e, int micro_batches) {
  const double passes = static_cast<double>(micro_batches) * e.vpp;
  const double warmup = e.pp == 1 ? 1.0 : e.vpp > 1 ? 2.0 * (e.pp - 1) + static_cast<double>(e.vpp - 1) * e.pp : e.pp - 1.0;
  return passes > 0 ? std::max(0.0, passes - warmup) / passes : 0;
}

}  // namespace rackscope::eval
