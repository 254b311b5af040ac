#!/usr/bin/env python3
"""Replays vTrain's single-node ground truth (data/vtrain_ground_truth_single.csv: Megatron-LM
iteration times of small GPT models on one 8x A100 node, Bang et al., MICRO 2024) through
`rackscope step` and fails beyond tolerance. Validation only: nothing is fitted to these rows.

The rows of the 24-layer models (360 of 1,440: both hidden sizes, every parallel layout, micro-batch
and batch size of the set; the other depths differ only in layer count) are evaluated, so the suite
stays short.

These small models (hidden 1024 / 2048, 1,024 to 8,192 tokens per micro-batch) are where the model
is weakest: it is too fast on every row, most at micro-batch 1 and high TP, where the measured time
per micro-batch has a floor of about 3 ms per layer for forward and backward whatever the width.
Dispatch of the layer's kernels at the profile's sourced host time per kernel (7 us x 54 kernels)
accounts for a tenth of that floor; the rest is host time per layer the profiles do not model yet
(Python modules, TorchScript fusions, autograd Functions: project issue 12, capability 5). The
limits below are what the model gives today, so that this gap cannot widen unseen; tighten them as
it closes:
  all rows:     median |error| <= 50%, max <= 90%
  hidden 1024:  median |error| <= 65%, max <= 90%
  hidden 2048:  median |error| <= 45%, max <= 85%

Usage: vtrain_validation.py RACKSCOPE_BINARY VALIDATION_DIR [--json FILE]
"""
import csv
import statistics
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from replay import script_args, step_json, write_dump

LIMITS = {"all": (0.50, 0.90), "1024": (0.65, 0.90), "2048": (0.45, 0.85)}  # (median, max) |error|
LAYERS = "24"
rackscope, here, json_out, root = script_args()
cluster = root / "topologies/clusters/a100-8x.toml"

# GPT as Megatron-LM builds it for these runs: 4h FFN with GeLU, LayerNorm, biases, dropout,
# learned positions, tied embeddings, vocabulary padded to 51,200.
MODEL = """kind = "model"
name = "vtrain-gpt-h{h}-l{l}"
layers = {l}
hidden = {h}
ffn = {ffn}
heads = {a}
head_dim = {hd}
vocab = 51200
seq = {s}
activation = "gelu"
norm = "layernorm"
biases = true
dropout = true
tied_embeddings = true
learned_positions = true
source = "VIA-Research/vTrain data/ground_truth_single.csv (GPT shape of the row); vocabulary: GPT-2's 50,257 padded by Megatron-LM to 51,200"
"""

FIELDS = ["gpus", "global_batch", "micro_batch", "hidden", "heads", "layers", "seq", "tp", "dp", "pp", "time_ms"]
rows = [dict(zip(FIELDS, r)) for r in csv.reader(open(here / "data" / "vtrain_ground_truth_single.csv"))
        if r and not r[0].startswith("#")]
rows = [r for r in rows if r["layers"] == LAYERS]

tmp = tempfile.TemporaryDirectory()
models = {}
for r in rows:
    key = (r["hidden"], r["heads"], r["layers"], r["seq"])
    if key not in models:
        h, a = int(r["hidden"]), int(r["heads"])
        path = Path(tmp.name) / f"gpt-h{h}-l{r['layers']}-s{r['seq']}.toml"
        path.write_text(MODEL.format(h=h, l=r["layers"], ffn=4 * h, a=a, hd=h // a, s=r["seq"]))
        models[key] = path


def modeled_ms(r):
    # One node of as many GPUs as the row used; Megatron-LM without recompute, sequence
    # parallelism or overlap options beyond its defaults (its loss: the unfused
    # vocab_parallel_cross_entropy, cross_entropy_loss_fusion being off by default).
    cmd = [rackscope, "step", str(cluster), str(models[(r["hidden"], r["heads"], r["layers"], r["seq"])]),
           "--set", "racks=1", "--set", f"rack.chips={r['gpus']}", "--tp", r["tp"], "--pp", r["pp"], "--dp", r["dp"],
           "--mbs", r["micro_batch"], "--gbs", r["global_batch"], "--recompute", "none", "--cross-entropy", "unfused", "--json"]
    out = step_json(cmd)
    return out["step_time_s"] * 1e3 if out["feasible"] else float("nan")


with ThreadPoolExecutor(max_workers=2) as pool:
    modeled = list(pool.map(modeled_ms, rows))

errors = {"all": [], "1024": [], "2048": []}
buckets = {}  # (axis, value) -> signed errors, for the table
for r, mod in zip(rows, modeled):
    err = (mod - float(r["time_ms"])) / float(r["time_ms"])
    err = err if err == err else float("inf")  # an infeasible row counts as beyond every limit
    errors["all"].append(abs(err))
    errors.setdefault(r["hidden"], []).append(abs(err))
    for axis in ("hidden", "micro_batch", "tp", "pp"):
        buckets.setdefault((axis, int(r[axis])), []).append(err)

print(f"vTrain single node, {len(rows)} rows ({LAYERS} layers): model vs measured iteration time")
print(f"{'bucket':<16} {'rows':>5} {'median error':>13} {'median |error|':>15} {'max |error|':>12}")
for (axis, value), errs in sorted(buckets.items()):
    print(f"{axis + ' ' + str(value):<16} {len(errs):>5} {statistics.median(errs):>+13.1%} "
          f"{statistics.median([abs(e) for e in errs]):>15.1%} {max(abs(e) for e in errs):>12.1%}")
ok = True
for name, (med_tol, max_tol) in LIMITS.items():
    errs = errors.get(name, [])
    if not errs:
        sys.exit(f"no rows for {name}")
    med, worst = statistics.median(errs), max(errs)
    passed = med <= med_tol and worst <= max_tol
    ok = ok and passed
    label = "all rows" if name == "all" else f"hidden {name}"
    print(f"-> {label}: {len(errs)} rows, median |error| {med:.1%}, max {worst:.1%} "
          f"(limits {med_tol:.0%} / {max_tol:.0%}) {'PASS' if passed else 'FAIL'}")
if json_out:
    dump = [{"source": "vTrain single-node ground truth (Bang et al. 2024)",
             "label": f"h{r['hidden']} tp{r['tp']} pp{r['pp']} dp{r['dp']} mbs{r['micro_batch']} gbs{r['global_batch']}",
             "unit": "ms/step", "measured": float(r["time_ms"]), "predicted": mod, "enforced": True, "group": "time and throughput"}
            for r, mod in zip(rows, modeled)]
    write_dump(json_out, "vtrain_validation.py", "training step", {"median": LIMITS["all"][0], "row": LIMITS["all"][1]}, dump)
sys.exit(0 if ok else 1)
