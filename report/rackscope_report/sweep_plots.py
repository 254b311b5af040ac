"""Plots of a `rackscope sweep` HDF5 file: the time-to-train vs cost Pareto front per packaging,
tokens/s against chips, infeasible configurations per reason, and the step breakdown of the
fastest configurations. Every plot but the reasons chart (from /infeasible) draws feasible
configurations, the rows of /results (refused ones are in /refused as index and reason only);
the `feasible == 1` filters below keep files of older versions, which held a row for every
configuration, readable. A sweep with no feasible configuration gives the reasons chart alone."""
import numpy as np
from matplotlib.ticker import FuncFormatter

from . import style
from .breakdown import TERM_COLOURS, TERMS, stacked_bars
from .plot import Plot, ReportError, Table, fmt
from .sweep_meta import SweepMeta, text

DAY = 86400.0
TOP = 8  # configurations in the breakdown chart
PLAIN = FuncFormatter(lambda v, _pos: f"{v:,.10g}")  # 1,024 and 0.5 rather than 2^10 and 5x10^-1


def pareto_front(x, y):
    """Indices of the points no other point beats on both x and y (both minimised), by x."""
    order = np.lexsort((y, x))
    front, best = [], np.inf
    for i in order:
        if y[i] < best:
            front.append(i)
            best = y[i]
    return np.array(front, dtype=np.int64)


def _cost_column(names):
    if "tco_usd" in names:
        return "tco_usd", "total cost of ownership (USD M)"
    return "cost_usd", "cost of the chips (USD M)"


def _time_column(names):
    """Time-to-train with failures, checkpoints and restarts where the file has it (goodput)."""
    if "wall_time_s" in names:
        return "wall_time_s", "time to train with goodput (days)"
    return "time_to_train_s", "time to train (days)"


def _layout(meta, r, i):
    keys = [k for k in ("racks", "tp", "pp", "cp", "dp", "micro_batch", "recompute", "vpp") if k in r.dtype.names]
    return " ".join(f"{k}={meta.decoded(r, k, i)}" for k in keys)


def _pareto_plot(meta, r, pack, rack, outdir, stem):
    cost_col, cost_label = _cost_column(r.dtype.names)
    time_col, time_label = _time_column(r.dtype.names)
    ok = (r["feasible"] == 1) & np.isfinite(r[time_col]) & np.isfinite(r[cost_col])
    if not ok.any():
        return None
    fig, axes = style.figure()
    ax = axes[0][0]
    packs, racks = sorted(set(pack[ok])), sorted(set(rack[ok]))
    rows = []
    for pi, p in enumerate(packs):
        for ri, rk in enumerate(racks):
            sel = ok & (pack == p) & (rack == rk)
            if not sel.any():
                continue
            s = ax.scatter(r[cost_col][sel] / 1e6, r[time_col][sel] / DAY, s=10, alpha=0.25, color=style.colour(pi),
                           marker=style.marker(ri), linewidths=0)
            s.set_gid(f"points:{style.slug(p)}:{style.slug(rk)}")
        sel = np.flatnonzero(ok & (pack == p))
        front = sel[pareto_front(r[cost_col][sel], r[time_col][sel])]
        line, = ax.plot(r[cost_col][front] / 1e6, r[time_col][front] / DAY, color=style.colour(pi), drawstyle="steps-post",
                        linewidth=1.5, marker="o", markersize=5, markeredgecolor="black", markeredgewidth=0.5,
                        label=f"{p}: Pareto front ({len(front)} configurations)")
        line.set_gid(f"front:{style.slug(p)}")
        rows += [[p, rack[i], int(r["chips"][i]), _layout(meta, r, i), fmt(r["tokens_per_s"][i]), fmt(r[time_col][i] / DAY),
                  fmt(r[cost_col][i] / 1e6)] for i in front]
    for ri, rk in enumerate(racks):
        ax.scatter([], [], marker=style.marker(ri), color="grey", label=f"rack: {rk}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(PLAIN)
    style.label_axes(ax, cost_label, time_label)
    ax.set_title(f"{meta.title()}\nPareto front of time to train against cost, by packaging", fontsize=9)
    style.legend(ax, loc="upper right")
    png, svg = style.save(fig, outdir, f"{stem}-pareto")
    table = Table("Pareto front per packaging (no configuration of that packaging is both faster and cheaper)",
                  ["packaging", "rack", "chips", "layout", "tokens/s", time_label, cost_label], rows)
    caption = (f"{int(ok.sum()):,} feasible configurations (faint), coloured by packaging, marker by rack configuration; the line joins "
               f"each packaging's Pareto front.")
    return Plot(f"{stem}-pareto", "Time to train against cost", caption, png, svg, [table])


def _throughput_plot(meta, r, pack, rack, outdir, stem):
    ok = (r["feasible"] == 1) & np.isfinite(r["tokens_per_s"])
    if not ok.any():
        return None
    fig, axes = style.figure()
    ax = axes[0][0]
    rows = []
    groups = sorted(set(zip(pack[ok], rack[ok])))
    for gi, (p, rk) in enumerate(groups):
        sel = np.flatnonzero(ok & (pack == p) & (rack == rk))
        chips = r["chips"][sel]
        best = np.array([sel[chips == c][np.argmax(r["tokens_per_s"][sel][chips == c])] for c in np.unique(chips)])
        pi = sorted(set(pack[ok])).index(p)
        cloud = ax.scatter(r["chips"][sel], r["tokens_per_s"][sel], s=8, alpha=0.2, color=style.colour(pi), marker=style.marker(gi),
                           linewidths=0)
        cloud.set_gid(f"points:{style.slug(p)}:{style.slug(rk)}")
        line, = ax.plot(r["chips"][best], r["tokens_per_s"][best], color=style.colour(pi), marker=style.marker(gi), markersize=5,
                        linewidth=1.2, label=f"{p}, {rk}: best per size ({len(best)})")
        line.set_gid(f"best:{style.slug(p)}:{style.slug(rk)}")
        rows += [[p, rk, int(r["chips"][i]), _layout(meta, r, i), fmt(r["tokens_per_s"][i]), fmt(r["mfu"][i])] for i in best]
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(PLAIN)
    style.label_axes(ax, "chips", "throughput (tokens/s)")
    ax.set_title(f"{meta.title()}\nthroughput against cluster size (faint: every feasible layout; line: the best)", fontsize=9)
    style.legend(ax, loc="upper left")
    png, svg = style.save(fig, outdir, f"{stem}-throughput")
    table = Table("Fastest configuration at each cluster size", ["packaging", "rack", "chips", "layout", "tokens/s", "MFU"], rows)
    return Plot(f"{stem}-throughput", "Throughput against cluster size", "The fastest feasible layout at each chip count, per packaging "
                "and rack configuration.", png, svg, [table])


def _infeasible_plot(meta, f, outdir, stem):
    inf = f["infeasible"][()]
    names = [text(n) for n in inf["name"]]
    counts = inf["configurations"].astype(np.int64)
    total = int(counts.sum())
    shown = [(n, int(c)) for n, c in zip(names, counts) if n != "feasible" and c > 0]
    fig, axes = style.figure(height=max(2.2, 0.45 * len(shown) + 1.4))
    ax = axes[0][0]
    y = np.arange(len(shown))
    bars = ax.barh(y, [c for _, c in shown], color=style.colour(3))
    for i, (b, (n, c)) in enumerate(zip(bars, shown)):
        b.set_gid(f"bar:reason:{style.slug(n)}")
        ax.annotate(f"{c:,}", (c, i), xytext=(3, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(y)
    ax.set_yticklabels([n for n, _ in shown])
    ax.invert_yaxis()
    if shown:
        ax.set_xscale("log")
    style.label_axes(ax, "configurations (log scale)", "reason")
    ax.set_title(f"{meta.title()}\n{total - sum(c for n, c in zip(names, counts) if n == 'feasible'):,} of {total:,} configurations "
                 "infeasible, by reason", fontsize=9)
    png, svg = style.save(fig, outdir, f"{stem}-infeasible")
    table = Table("Configurations per reason (every reason the file lists)", ["reason", "configurations"],
                  [[n, f"{int(c):,}"] for n, c in zip(names, counts)])
    return Plot(f"{stem}-infeasible", "Why configurations were refused", "Reasons with at least one configuration; the table lists all.",
                png, svg, [table])


def _breakdown_plot(meta, r, pack, rack, outdir, stem):
    cols = [k + "_s" for k, _ in TERMS]
    if any(c not in r.dtype.names for c in cols):
        return None
    ok = np.flatnonzero((r["feasible"] == 1) & np.isfinite(r["tokens_per_s"]))
    if not len(ok):
        return None
    top = ok[np.argsort(-r["tokens_per_s"][ok], kind="stable")][:TOP]
    labels = [f"#{n + 1} {pack[i]}, {int(r['chips'][i])} chips" for n, i in enumerate(top)]
    matrix = np.stack([r[c][top] for c in cols], axis=1)
    fig, axes = style.figure(height=5.0)
    ax = axes[0][0]
    stacked_bars(ax, labels, matrix, [lbl for _, lbl in TERMS], TERM_COLOURS)
    style.label_axes(ax, "configuration (fastest first)", "step time (s)")
    ax.set_title(f"{meta.title()}\nstep time breakdown of the {len(top)} fastest configurations", fontsize=9)
    style.legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    png, svg = style.save(fig, outdir, f"{stem}-breakdown")
    rows = [[labels[n], _layout(meta, r, i), fmt(r["step_time_s"][i])] + [fmt(r[c][i]) for c in cols] for n, i in enumerate(top)]
    table = Table("Step time (s) per term", ["configuration", "layout", "step (s)"] + [lbl for _, lbl in TERMS], rows)
    return Plot(f"{stem}-breakdown", "Where the step time goes", "Stacked terms add up to the step time.", png, svg, [table])


def plots(f, outdir, stem="sweep"):
    meta = SweepMeta(f)
    try:
        r = f["results"][()]
    except (OSError, KeyError, ValueError) as e:
        raise ReportError(f"{f.filename}: /results unreadable ({e})")
    for c in ("feasible", "chips", "tokens_per_s", "time_to_train_s", "step_time_s", "mfu"):
        if c not in (r.dtype.names or ()):
            raise ReportError(f"{f.filename}: /results has no column {c} (not a rackscope sweep result)")
    pack, rack = meta.configurations(r)
    out = [_pareto_plot(meta, r, pack, rack, outdir, stem), _throughput_plot(meta, r, pack, rack, outdir, stem),
           _infeasible_plot(meta, f, outdir, stem), _breakdown_plot(meta, r, pack, rack, outdir, stem)]
    return [p for p in out if p is not None]
