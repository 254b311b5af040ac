"""Predicted against measured for every row the validation scripts compare
(`tests/validation/*_validation.py --json FILE`), one colour per source, the +-10% band, and each
source's error statistics (over the rows the script enforces) in the legend."""
import statistics

import numpy as np

from . import style
from .plot import Plot, Table, fmt

BAND = 0.10
MAX_TABLE_ROWS = 200  # per source in the HTML table; larger sources are sampled evenly


def stats(rows):
    """(count, median |error|, max |error|) over the enforced rows, as the scripts compute them."""
    errs = [abs((r["predicted"] - r["measured"]) / r["measured"]) if r["predicted"] == r["predicted"] else float("inf")
            for r in rows if r.get("enforced", True)]
    if not errs:
        return 0, float("nan"), float("nan")
    return len(errs), statistics.median(errs), max(errs)


def _panel(ax, d):
    rows = d["rows"]
    sources = list(dict.fromkeys(r["source"] for r in rows))
    units = sorted({r["unit"] for r in rows})
    finite = [r for r in rows if r["predicted"] == r["predicted"] and r["measured"] > 0 and r["predicted"] > 0]
    lo = min(min(r["measured"], r["predicted"]) for r in finite) / 1.5
    hi = max(max(r["measured"], r["predicted"]) for r in finite) * 1.5
    x = np.geomspace(lo, hi, 50)
    ax.fill_between(x, x * (1 - BAND), x * (1 + BAND), color="#BBBBBB", alpha=0.5, linewidth=0, label=f"\u00b1{BAND:.0%} of measured")
    ax.plot(x, x, color="black", linewidth=0.8, label="predicted = measured")
    for si, s in enumerate(sources):
        mine = [r for r in finite if r["source"] == s]
        n, med, worst = stats([r for r in rows if r["source"] == s])
        for enforced in (True, False):
            pts = [r for r in mine if bool(r.get("enforced", True)) == enforced]
            if not pts:
                continue
            label = (f"{s}: {n} rows, median |err| {med:.1%}, max {worst:.1%}" if enforced else f"{s}: {len(pts)} printed, not enforced")
            sc = ax.scatter([r["measured"] for r in pts], [r["predicted"] for r in pts], s=18 if len(pts) < 200 else 6,
                            marker=style.marker(si), color=style.colour(si) if enforced else "none",
                            edgecolors=style.colour(si), linewidths=0.8, label=label, rasterized=len(pts) > 2000)
            sc.set_gid(f"{'points' if enforced else 'printed'}:{style.slug(s)}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    unit_text = ", ".join(units)
    style.label_axes(ax, f"measured ({unit_text})", f"predicted by rackscope ({unit_text})")
    # The scripts' own summaries: training judges time/throughput rows together (memory apart),
    # collectives judge each system alone (the legend).
    groups = list(dict.fromkeys(r["group"] for r in rows if "group" in r))
    summary = "\n".join(f"{g}: {n} rows, median |err| {m:.1%}, max {w:.1%}" for g in groups
                        for n, m, w in [stats([r for r in rows if r.get("group") == g])])
    # A shared panel names every script; two to a line keep the title inside the panel's width.
    scripts = d.get("script", "validation").split(" + ")
    names = "\n".join(" + ".join(scripts[i:i + 2]) for i in range(0, len(scripts), 2))
    ax.set_title(f"{names}: {d.get('quantity', '')}" + (f"\n{summary}" if summary else ""), fontsize=9)
    style.legend(ax, loc="upper center", bbox_to_anchor=(0.5, -0.1), fontsize=7, ncol=1)


def _by_quantity(items):
    """The dumps of one quantity (the training step of every training script: the project's own
    rows, vTrain's, MosaicML's, Trn1 NeMo Megatron's, TorchTitan's) share one panel, their scripts named together
    in its title."""
    merged = {}
    for name, d in items:
        q = d.get("quantity", "")
        if q not in merged:
            merged[q] = (name, dict(d, script=d.get("script", name), rows=list(d["rows"])))
        else:
            m = merged[q][1]
            m["script"] += " + " + d.get("script", name)
            m["rows"] += d["rows"]
    return list(merged.values())


def plots(items, outdir, stem="validation"):
    items = _by_quantity(items)
    fig, axes = style.figure(ncols=len(items), width=7.2 * len(items), height=7.0)
    tables = []
    for ax, (name, d) in zip(axes[0], items):
        _panel(ax, d)
        srcs = list(dict.fromkeys(r["source"] for r in d["rows"]))
        tables.append(Table(f"{d.get('script', name)}: error per source (enforced rows)", ["source", "rows", "median |error|", "max |error|"],
                            [[s, n, f"{m:.1%}", f"{w:.1%}"] for s in srcs for n, m, w in [stats([r for r in d["rows"] if r["source"] == s])]]))
        shown = [r for s in srcs for mine in [[r for r in d["rows"] if r["source"] == s]]
                 for r in mine[::max(1, len(mine) // MAX_TABLE_ROWS)]]
        tables.append(Table(f"{d.get('script', name)}: rows ({len(shown)} of {len(d['rows'])})",
                            ["source", "row", "unit", "measured", "predicted", "error", "enforced"],
                            [[r["source"], r["label"], r["unit"], fmt(r["measured"]), fmt(r["predicted"]),
                              f"{(r['predicted'] - r['measured']) / r['measured']:+.1%}", r.get("enforced", True)] for r in shown]))
    fig.suptitle("rackscope against published measurements (tests/validation)", fontsize=11)
    png, svg = style.save(fig, outdir, stem)
    return [Plot(stem, "Predicted against measured", "Every row the validation scripts compare; filled points are the rows they "
                 "enforce, hollow ones are printed only. Grey: within 10% of the measurement.", png, svg, tables)]
