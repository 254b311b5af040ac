"""Small multiples of `rackscope compare --json`: one panel per numeric row of the comparison
table, one bar per configuration, the best marked (hatched, with a star) as `best` says."""
import math

import numpy as np
from matplotlib.patches import Patch

from . import style
from .plot import Plot, Table, fmt

UNITS = {  # row key -> (axis label, scale)
    "chips_per_rack": ("chips per rack", 1), "hbm_GiB_per_chip": ("HBM per chip (GiB)", 1),
    "bf16_PFLOPs_per_chip": ("BF16 per chip (PFLOP/s)", 1), "scale_up_GBps_per_chip": ("scale-up per chip (GB/s)", 1),
    "scale_out_GBps_per_chip": ("scale-out per chip (GB/s)", 1), "chip_cost_usd": ("chip cost (USD)", 1),
    "rack_price_usd_M": ("rack price (USD M)", 1), "rack_power_kW": ("rack power (kW)", 1), "supply_chips": ("chips supplied", 1),
    "racks": ("racks", 1), "chips": ("chips", 1), "step_time_s": ("step time (s)", 1),
    "tokens_per_s_per_rack": ("tokens/s per rack", 1), "mfu": ("MFU (fraction of peak)", 1), "goodput": ("goodput (fraction)", 1),
    "time_to_train_days": ("time to train (days)", 1), "capex_usd_M": ("capex (USD M)", 1), "tco_usd_M": ("TCO (USD M)", 1),
    "tokens_per_usd": ("tokens per USD", 1), "tokens_per_J": ("tokens per J", 1), "peak_power_MW": ("peak power (MW)", 1),
}


def numeric_keys(cols):
    keys = []
    for c in cols:
        for k, v in c.items():
            if k not in keys and k not in ("configuration", "best") and isinstance(v, (int, float)) and not isinstance(v, bool):
                keys.append(k)
    return keys


def plots(cols, outdir, stem="compare"):
    names = [str(c["configuration"]).split("/")[-1].removesuffix(".toml") for c in cols]
    keys = numeric_keys(cols)
    ncols = 4
    nrows = max(1, math.ceil(len(keys) / ncols))
    fig, axes = style.figure(ncols=ncols, nrows=nrows, width=15, height=2.6 * nrows + 0.8)
    x = np.arange(len(cols))
    for n, key in enumerate(keys):
        ax = axes[n // ncols][n % ncols]
        vals = [c.get(key) for c in cols]
        heights = [v if isinstance(v, (int, float)) and not isinstance(v, bool) else 0.0 for v in vals]
        bars = ax.bar(x, heights, color=[style.colour(i) for i in range(len(cols))])
        for i, (b, c, v) in enumerate(zip(bars, cols, vals)):
            b.set_gid(f"bar:{key}:{i}")
            if v is None:
                ax.annotate("n/a", (i, 0), ha="center", va="bottom", fontsize=7)
            if c.get("best", {}).get(key):
                b.set_hatch("//")
                b.set_edgecolor("black")
                ax.annotate("\u2605 best", (i, heights[i]), ha="center", va="bottom", fontsize=8, gid=f"best:{key}")
        label, _ = UNITS.get(key, (key, 1))
        ax.set_title(label, fontsize=9)
        ax.set_ylabel(label, fontsize=7)
        ax.yaxis.label.set_gid("ylabel")
        ax.set_xticks(x)
        ax.set_xticklabels(names, rotation=20, ha="right", fontsize=7)
        ax.margins(y=0.18)
    for n in range(len(keys), nrows * ncols):
        axes[n // ncols][n % ncols].set_visible(False)
    handles = [Patch(color=style.colour(i), label=nm) for i, nm in enumerate(names)]
    leg = fig.legend(handles=handles, loc="lower center", ncol=min(4, len(names)), bbox_to_anchor=(0.5, 1.0 - 0.4 / (2.6 * nrows + 0.8)))
    leg.set_gid("legend")
    fig.suptitle(f"rackscope compare: {', '.join(names)}", fontsize=10, y=1.0 + 0.3 / (2.6 * nrows + 0.8))
    fig.tight_layout()
    png, svg = style.save(fig, outdir, stem)
    every = keys + [k for c in cols for k in c if k not in keys and k not in ("configuration", "best")]
    every = list(dict.fromkeys(every))
    rows = [[k] + [fmt(c.get(k)) + (" (best)" if c.get("best", {}).get(k) else "") for c in cols] for k in every]
    return [Plot(stem, "Configurations compared", "One panel per row of the comparison; hatched with a star: the best by that row.",
                 png, svg, [Table("The comparison table", ["row"] + names, rows)])]
