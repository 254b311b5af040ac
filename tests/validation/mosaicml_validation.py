#!/usr/bin/env python3
"""Replays MosaicML's training benchmarks (llm-foundry's MPT 1B-30B, Composer with PyTorch FSDP
FULL_SHARD, amp_bf16, 2023) through `rackscope step` and fails beyond tolerance, per table:
  data/mosaicml_h100_bf16.csv  'H100 80GB BF16': 41 rows, 8-64 H100 80GB
  data/mosaicml_a100_bf16.csv  'A100 80GB ... (RoCE)': the 34 amp_bf16 rows of MPT 1B-30B, 8 A100 80GB
Validation only: nothing is fitted to these rows.

Each row runs as its table says: ZeRO-3 (FULL_SHARD) over every GPU, the row's micro-batch and
global batch, full activation recomputation where the row checkpoints activations, none where it
does not; BF16 with gradients reduced in fp32 (Composer's DEFAULT mixed precision); the loss
PyTorch's unfused cross-entropy; attention by a FlashAttention-2 profile (`h100-megatron`,
`a100-fa2`), the closest to llm-foundry's Triton and FlashAttention kernels of the shipped ones.

This is a stack the compute profiles do not describe (2023 PyTorch, FSDP, llm-foundry's Triton
attention), and the model is too fast on nearly every row, by more the longer the sequence:
  H100: +10% to +22% at 512-1k tokens, +14% to +41% at 2k-4k, +26% to +58% at 8k-16k, +43% to +61%
        at 32k-64k; median 27.3%.
  A100: -2% to +13% at 512-1k, +2% to +21% at 2k-4k, +7% to +51% at 8k-16k, +20% to +44% at
        32k-64k; median 15.4%.
The error growing with the share of attention on both chips points at the attention kernel, not
at either chip: the profiles price FlashAttention-2, the runs used llm-foundry's Triton kernel with
ALiBi (from flash-attention's flash_attn_triton.py, whose header puts its forward+backward slightly
below the late-2022 CUDA FlashAttention, the one FlashAttention-2 later doubled). The limits
below are what the model gives today, so that this gap cannot widen unseen; tighten them as it
closes:
  H100: median |error| <= 30%, max <= 65%
  A100: median |error| <= 17%, max <= 55%

Usage: mosaicml_validation.py RACKSCOPE_BINARY VALIDATION_DIR [--json FILE]
(--json also writes every row compared, for `rackscope report`'s validation chart)
"""
import csv
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from replay import judge, step_json, write_dump

rackscope, here = sys.argv[1], Path(sys.argv[2])
json_out = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--json" else None
root = here.parent.parent


class Table:
    """One of the README's tables: its rows, the system and profile they run on, and its limits
    (median |error|, worst row)."""

    def __init__(self, name, csv_name, cluster, profile, limits):
        self.name, self.cluster, self.profile, self.limits = name, cluster, profile, limits
        self.rows = list(csv.DictReader(open(here / "data" / csv_name)))


TABLES = [
    Table("H100 BF16", "mosaicml_h100_bf16.csv", "h100-8x.toml", "h100-megatron.toml", (0.30, 0.65)),
    Table("A100 80GB BF16", "mosaicml_a100_bf16.csv", "a100-8x.toml", "a100-fa2.toml", (0.17, 0.55)),
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
