#!/usr/bin/env python3
"""Replays MosaicML's H100 BF16 training benchmarks (data/mosaicml_h100_bf16.csv: llm-foundry's
MPT 1B-30B on 8-64 H100 80GB, Composer with PyTorch FSDP FULL_SHARD, amp_bf16, 2023) through
`rackscope step` and fails beyond tolerance. Validation only: nothing is fitted to these rows.

Each row runs as its table says: ZeRO-3 (FULL_SHARD) over every GPU, the row's micro-batch and
global batch, full activation recomputation where the row checkpoints activations, none where it
does not; BF16 with gradients reduced in fp32 (Composer's DEFAULT mixed precision); the loss
PyTorch's unfused cross-entropy; attention by the FlashAttention-2 profile (`h100-megatron`), the
closest to llm-foundry's Triton and FlashAttention kernels of the shipped ones.

This is a stack the compute profiles do not describe (2023 PyTorch, FSDP, llm-foundry's Triton
attention), and the model is too fast on every row: +10% to
+22% at 512-1k tokens, +14% to +41% at 2k-4k, +26% to +58% at 8k-16k, +43% to +61% at 32k-64k.
The error growing with the share of attention points at the attention kernel (FlashAttention-2's
H100 rates against 2023's Triton kernel with ALiBi; the table's A100 rows show the same growth
with a flash A100 profile); the 16% left at 512 tokens at the rest of the stack. The limits below are what
the model gives today, so that this gap cannot widen unseen; tighten them as it closes:
  all rows: median |error| <= 30%, max <= 65%

Usage: mosaicml_validation.py RACKSCOPE_BINARY VALIDATION_DIR [--json FILE]
(--json also writes every row compared, for `rackscope report`'s validation chart)
"""
import csv
import statistics
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from replay import step_json, write_dump

MEDIAN_TOL, ROW_TOL = 0.30, 0.65
rackscope, here = sys.argv[1], Path(sys.argv[2])
json_out = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--json" else None
root = here.parent.parent
rows = list(csv.DictReader(open(here / "data" / "mosaicml_h100_bf16.csv")))


def modeled_tokens_per_gpu(r):
    gpus = int(r["gpus"])
    cmd = [rackscope, "step", str(root / "topologies/clusters/h100-8x.toml"), str(here / "models" / f"{r['model']}.toml"),
           "--set", f"racks={gpus // 8}", "--profile", str(root / "topologies/compute/h100-megatron.toml"),
           "--dp", str(gpus), "--zero", "3", "--mbs", r["micro_batch"], "--gbs", r["global_batch"], "--seq", r["seq"],
           "--precision", "bf16", "--grad-reduce", "fp32", "--cross-entropy", "unfused",
           "--recompute", "full" if r["activation_checkpointing"] == "true" else "none", "--json"]
    out = step_json(cmd)
    return out["tokens_per_s"] / gpus if out["feasible"] else float("nan")


with ThreadPoolExecutor(max_workers=2) as pool:
    modeled = list(pool.map(modeled_tokens_per_gpu, rows))

print(f"{'row':<44} {'measured':>10} {'model':>10} {'error':>8}  unit")
errors, points = [], []
for r, mod in zip(rows, modeled):
    meas = float(r["tokens_per_s_per_gpu"])
    err = (mod - meas) / meas
    errors.append(abs(err) if err == err else float("inf"))  # an infeasible row is beyond every limit
    label = f"{r['model']} seq {r['seq']} {r['gpus']} GPUs mbs {r['micro_batch']}{' AC' if r['activation_checkpointing'] == 'true' else ''}"
    print(f"{label:<44} {meas:>10.0f} {mod:>10.0f} {err:>+7.1%}  tok/s/GPU")
    points.append({"source": "MosaicML llm-foundry H100 BF16 (FSDP), tokens/s per GPU", "label": label, "unit": "tok/s/GPU",
                   "measured": meas, "predicted": mod, "enforced": True, "group": "time and throughput"})
med, worst = statistics.median(errors), max(errors)
ok = med <= MEDIAN_TOL and worst <= ROW_TOL
print(f"-> {len(errors)} rows: median |error| {med:.1%}, max {worst:.1%} (limits {MEDIAN_TOL:.0%} / {ROW_TOL:.0%}) {'PASS' if ok else 'FAIL'}")
if json_out:
    write_dump(json_out, "mosaicml_validation.py", "training step", {"median": MEDIAN_TOL, "row": ROW_TOL}, points)
sys.exit(0 if ok else 1)
