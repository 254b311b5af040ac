#!/usr/bin/env python3
"""Replays MosaicML's training benchmarks (llm-foundry's MPT 1B-30B, Composer with PyTorch FSDP
FULL_SHARD, amp_bf16, 2023) through `rackscope step` and fails beyond tolerance, per table:
  data/mosaicml_h100_bf16.csv  'H100 80GB BF16': 41 rows, 8-64 H100 80GB
  data/mosaicml_a100_bf16.csv  'A100 80GB ... (RoCE)': the 34 amp_bf16 rows of MPT 1B-30B, 8 A100 80GB
Validation only: nothing is fitted to these rows.

Each row runs as its table says: ZeRO-3 (FULL_SHARD) over every GPU, the row's micro-batch and
global batch, full activation recomputation where the row checkpoints activations, none where it
does not; BF16 with gradients reduced in fp32 (Composer's DEFAULT mixed precision); the loss
PyTorch's unfused cross-entropy; learned positions (the table's NumParams grow by d_model per
token of sequence). Attention is llm-foundry's attn_impl 'triton' (the benchmark sweep's default,
scripts/train/benchmarking/submit_benchmarks.py): the 2022-23 Triton FlashAttention, priced by the
profiles `h100-triton-fa` and `a100-triton-fa` (FlashAttention-2's curves slowed by the forward and
backward ratios the FlashAttention-2 paper measured against that kernel on A100).

Under those profiles the model is within -12% to +20% on every row but two groups:
  MPT-30b at 8k tokens on 8 GPUs, +40% (H100) and +37% (A100): the run at 74 of 80 GiB (modeled);
  MPT-13b at 2k tokens without checkpointing (micro-batch 2), +31% to +34% on H100 (+17% on A100).
  H100: median 9.9%, max 40.0%; A100: median 6.9%, max 37.1%.
Under the FlashAttention-2 profiles (h100-megatron, a100-fa2) the medians were 27.3% and 15.4%,
the error growing with sequence length to +61% and +51%. The limits below are what the model gives
today, so that the gap cannot widen unseen; tighten them as it closes:
  H100: median |error| <= 11%, max <= 42%
  A100: median |error| <= 8%, max <= 39%

Usage: mosaicml_validation.py RACKSCOPE_BINARY VALIDATION_DIR [--json FILE]
(--json also writes every row compared, for `rackscope report`'s validation chart)
"""
import csv
import sys
from concurrent.futures import ThreadPoolExecutor

from replay import judge, script_args, step_json, write_dump

rackscope, here, json_out, root = script_args()


class Table:
    """One of the README's tables: its rows, the system and profile they run on, and its limits
    (median |error|, worst row)."""

    def __init__(self, name, csv_name, cluster, profile, limits):
        self.name, self.cluster, self.profile, self.limits = name, cluster, profile, limits
        self.rows = list(csv.DictReader(open(here / "data" / csv_name)))


TABLES = [
    Table("H100 BF16", "mosaicml_h100_bf16.csv", "h100-8x.toml", "h100-triton-fa.toml", (0.11, 0.42)),
    Table("A100 80GB BF16", "mosaicml_a100_bf16.csv", "a100-8x.toml", "a100-triton-fa.toml", (0.08, 0.39)),
]


def modeled_tokens_per_gpu(table, r):
    gpus = int(r["gpus"])
    cmd = [rackscope, "step", str(root / "topologies/clusters" / table.cluster), str(here / "models" / f"{r['model']}.toml"),
           "--set", f"racks={gpus // 8}", "--profile", str(root / "topologies/compute" / table.profile),
           "--dp", str(gpus), "--zero", "3", "--mbs", r["micro_batch"], "--gbs", r["global_batch"], "--seq", r["seq"],
           "--precision", "bf16", "--grad-reduce", "fp32", "--cross-entropy", "unfused",
           "--recompute", "full" if r["activation_checkpointing"] == "true" else "none", "--json"]
    out = step_json(cmd)
    return out["tokens_per_s"] / gpus if out["feasible"] else float("nan")


failed, points = False, []
for table in TABLES:
    with ThreadPoolExecutor(max_workers=2) as pool:
        modeled = list(pool.map(lambda r: modeled_tokens_per_gpu(table, r), table.rows))
    print(f"\n## {table.name}  [{table.cluster}, profile {table.profile}]")
    compared = [(f"{r['model']} seq {r['seq']} {r['gpus']} GPUs mbs {r['micro_batch']}{' AC' if r['activation_checkpointing'] == 'true' else ''}",
                 float(r["tokens_per_s_per_gpu"]), mod) for r, mod in zip(table.rows, modeled)]
    failed |= not judge(compared, table.limits, "tok/s/GPU")
    points += [{"source": f"MosaicML llm-foundry {table.name} (FSDP), tokens/s per GPU", "label": label, "unit": "tok/s/GPU",
                "measured": meas, "predicted": mod, "enforced": True, "group": "time and throughput"} for label, meas, mod in compared]
if json_out:
    write_dump(json_out, "mosaicml_validation.py", "training step",
               {t.name: {"median": t.limits[0], "row": t.limits[1]} for t in TABLES}, points)
sys.exit(1 if failed else 0)
