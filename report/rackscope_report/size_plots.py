"""Plots of `rackscope size --json`: racks against time to train per rack configuration with the
deadline drawn in and each option's uncertainty band, racks against total cost (with the budget
line when one is known), and goodput against cluster size. Chosen options are filled, the
closest misses hollow."""
import numpy as np

from . import style
from .plot import Plot, Table, fmt


def _options(d):
    return [(o, True) for o in d.get("options", [])] + [(o, False) for o in d.get("closest", [])]


def _layout(o):
    p = o.get("parallelism", {})
    return " ".join(f"{k}={p[k]}" for k in ("tp", "pp", "cp", "dp", "ep", "micro_batch", "recompute") if k in p)


def _panel(ax, panel, opts, racks, x_key, y_key, low_key, high_key, scale):
    """One series per rack configuration; chosen options filled, closest hollow. Returns nothing;
    the SVG ids are `chosen:<rack>:<panel>` and `closest:<rack>:<panel>`."""
    for ri, rack in enumerate(racks):
        for chosen in (True, False):
            mine = [o for o, c in opts if o["rack"] == rack and c == chosen]
            if not mine:
                continue
            x = np.array([o[x_key] for o in mine], dtype=float)
            y = np.array([o[y_key] for o in mine], dtype=float) / scale
            err = None
            if low_key and all(o.get(low_key) is not None and o.get(high_key) is not None for o in mine):
                lo = np.array([o[low_key] for o in mine], dtype=float) / scale
                hi = np.array([o[high_key] for o in mine], dtype=float) / scale
                err = np.vstack([np.maximum(y - lo, 0), np.maximum(hi - y, 0)])
            c = style.colour(ri)
            cont = ax.errorbar(x, y, yerr=err, linestyle="none", marker=style.marker(ri), markersize=7 if chosen else 6,
                               color=c, markerfacecolor=c if chosen else "white", markeredgecolor=c, capsize=3,
                               label=f"{rack} ({'chosen' if chosen else 'closest'})")
            cont.lines[0].set_gid(f"{'chosen' if chosen else 'closest'}:{style.slug(rack)}:{panel}")


def plots(d, outdir, name="size", stem="size"):
    opts = _options(d)
    racks = sorted({o["rack"] for o, _ in opts})
    fig, axes = style.figure(ncols=3, width=15, height=4.8)
    ax_t, ax_c, ax_g = axes[0]
    _panel(ax_t, "time", opts, racks, "racks", "time_to_train_days", "time_to_train_days_low", "time_to_train_days_high", 1.0)
    deadline = d.get("deadline_days")
    if deadline:
        ax_t.axhline(deadline, color="black", linestyle="--", linewidth=1.2, label=f"deadline {deadline:g} days").set_gid("deadline")
    style.label_axes(ax_t, "racks", "time to train, failures included (days)")
    ax_t.set_title("time to train (bar: the model's accuracy band)", fontsize=9)
    style.legend(ax_t, loc="upper right")

    _panel(ax_c, "cost", opts, racks, "racks", "tco_usd", "tco_usd_low", "tco_usd_high", 1e6)
    budget = d.get("budget_usd")
    if budget:
        ax_c.axhline(budget / 1e6, color="black", linestyle=":", linewidth=1.2, label=f"budget ${budget / 1e6:,.0f}M").set_gid("budget")
        style.legend(ax_c, loc="upper left")
    style.label_axes(ax_c, "racks", "total cost of ownership over the run (USD M)")
    ax_c.set_title("total cost (bar: band)" + ("" if budget else "; no budget given"), fontsize=9)

    _panel(ax_g, "goodput", opts, racks, "chips", "goodput", None, None, 1.0)
    style.label_axes(ax_g, "chips", "goodput (useful fraction of wall time)")
    ax_g.set_title("goodput against cluster size", fontsize=9)
    tokens = d.get("tokens")
    tok = f"{tokens / 1e12:g}T tokens" if isinstance(tokens, (int, float)) else str(tokens)
    fig.suptitle(f"rackscope size: {d.get('model', '?')}, {tok}, deadline {deadline:g} days, objective {d.get('objective', '?')}: "
                 f"{len(d.get('options', []))} options, {len(d.get('closest', []))} closest", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    png, svg = style.save(fig, outdir, stem)
    rows = [["chosen" if c else "closest", o["rack"], o.get("packaging", ""), o["racks"], o["chips"], _layout(o),
             fmt(o["time_to_train_days"]), f"{fmt(o.get('time_to_train_days_low'))}-{fmt(o.get('time_to_train_days_high'))}",
             fmt(o.get("goodput")), fmt(o.get("capex_usd", 0) / 1e6), fmt(o.get("tco_usd", 0) / 1e6),
             o.get("binding_constraint", ""), o.get("reject", "")] for o, c in opts]
    tables = [Table("Options (chosen, best first) and the closest misses",
                    ["", "rack", "packaging", "racks", "chips", "layout", "days", "band (days)", "goodput", "capex (USD M)",
                     "TCO (USD M)", "binding", "rejected as"], rows)]
    if d.get("advice"):
        tables.append(Table("Advice", ["advice"], [[a] for a in d["advice"]]))
    if d.get("rejected"):
        tables.append(Table("Candidates rejected, by reason", ["reason", "count"], [[k, f"{v:,}"] for k, v in sorted(d["rejected"].items())]))
    return [Plot(stem, "Racks against time to train and cost", "Filled: the options size chose; hollow: the closest that miss. "
                 "Dashed: the deadline.", png, svg, tables)]
