"""Plots of `rackscope step --json` outputs (one or several): the step time breakdown per input
and the memory per chip stacked by kind against the chip's HBM capacity."""
import json
import os
import subprocess
from pathlib import Path

import numpy as np

from . import style
from .breakdown import KERNEL_CLASSES, MEMORY_KINDS, TERM_COLOURS, TERMS, stacked_bars
from .plot import Plot, Table, fmt

SOURCE = Path(__file__).resolve().parent.parent.parent


def hbm_GiB(cluster):
    """The HBM capacity of the cluster's chip, from `rackscope chip --json` on the shipped file the
    cluster name refers to; None when either is not at hand (the chart then says so)."""
    binary = os.environ.get("RACKSCOPE_BINARY")
    path = SOURCE / "topologies" / "clusters" / f"{cluster}.toml"
    if not binary or not path.exists():
        return None
    try:
        import tomllib
        rack = (path.parent / tomllib.loads(path.read_text())["rack"]).resolve()
        chip = (rack.parent / tomllib.loads(rack.read_text())["chip"]).resolve()
        out = subprocess.run([binary, "chip", str(chip), "--json"], capture_output=True, text=True, timeout=60)
        return float(json.loads(out.stdout)[0]["hbm_GiB"])
    except (OSError, KeyError, ValueError, IndexError, subprocess.SubprocessError):
        return None


def _label(name, d):
    return f"{d.get('model', '?')} on {d.get('cluster', '?')} ({Path(name).stem})"


def plots(items, outdir, stem="step"):
    """items: list of (input name, parsed JSON)."""
    title = "; ".join(sorted({f"{d.get('model', '?')} on {d.get('cluster', '?')}" for _, d in items}))
    feasible = [(n, d) for n, d in items if d.get("feasible")]
    out = []
    rows = [[_label(n, d), "yes" if d.get("feasible") else "no: " + d.get("reason", ""), fmt(d.get("step_time_s")),
             fmt(d.get("tokens_per_s")), fmt(d.get("mfu")), d.get("dominant", "")] +
            [fmt(d.get("breakdown", {}).get(k)) for k, _ in TERMS] +
            [fmt(d.get("compute_by_kernel", {}).get(k)) for k, _ in KERNEL_CLASSES] for n, d in items]
    if feasible:
        fig, axes = style.figure(height=5.0)
        ax = axes[0][0]
        matrix = [[d["breakdown"].get(k, 0.0) for k, _ in TERMS] for _, d in feasible]
        stacked_bars(ax, [_label(n, d) for n, d in feasible], matrix, [lbl for _, lbl in TERMS], TERM_COLOURS)
        style.label_axes(ax, "configuration", "step time (s)")
        ax.set_title(f"rackscope step: {title}\nstep time breakdown", fontsize=9)
        style.legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0))
        png, svg = style.save(fig, outdir, f"{stem}-breakdown")
        out.append(Plot(f"{stem}-breakdown", "Step time breakdown", f"{len(feasible)} of {len(items)} configurations feasible; "
                        "stacked terms add up to the step time.", png, svg,
                        [Table("Step per input (s)", ["input", "feasible", "step (s)", "tokens/s", "MFU", "dominant"] +
                               [lbl for _, lbl in TERMS] + [f"compute: {lbl}" for _, lbl in KERNEL_CLASSES], rows)]))
    out.append(_memory_plot(items, outdir, stem, title))
    return out


def _memory_plot(items, outdir, stem, title):
    fig, axes = style.figure(height=5.0)
    ax = axes[0][0]
    labels, matrix, hbm, rows = [], [], [], []
    for n, d in items:
        per_rank = d.get("memory_GiB_per_rank", {})
        total_rank = sum(per_rank.get(k, 0.0) for k in MEMORY_KINDS)
        per_chip = d.get("memory_GiB_per_chip", 0.0)
        ranks_per_chip = per_chip / total_rank if total_rank > 0 else 0.0
        labels.append(_label(n, d))
        matrix.append([per_rank.get(k, 0.0) * ranks_per_chip for k in MEMORY_KINDS])
        cap = hbm_GiB(d.get("cluster", ""))
        hbm.append(cap)
        rows.append([labels[-1], fmt(per_chip), fmt(cap)] + [fmt(v) for v in matrix[-1]])
    stacked_bars(ax, labels, matrix, MEMORY_KINDS, style.PALETTE)
    for i, cap in enumerate(hbm):
        if cap is not None:
            line = ax.hlines(cap, i - 0.45, i + 0.45, colors="black", linestyles="--", linewidth=1.5,
                             label="HBM capacity per chip" if i == hbm.index(cap) else None)
            line.set_gid(f"hbm:{i}")
    style.label_axes(ax, "configuration", "memory per chip (GiB)")
    ax.set_title(f"rackscope step: {title}\nmemory per chip by kind against HBM", fontsize=9)
    style.legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    png, svg = style.save(fig, outdir, f"{stem}-memory")
    missing = sum(1 for c in hbm if c is None)
    caption = "Per-rank memory times the ranks per chip; dashed: the chip's HBM capacity." + (
        f" HBM capacity unknown for {missing} input(s) (cluster not a shipped file)." if missing else "")
    return Plot(f"{stem}-memory", "Memory per chip", caption, png, svg,
                [Table("Memory per chip (GiB)", ["input", "total", "HBM"] + MEMORY_KINDS, rows)])
