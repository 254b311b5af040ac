"""The step-time breakdown terms (as `rackscope step --json` and the sweep's *_s columns name
them) and the stacked bars both the step and the sweep report draw from them."""
import numpy as np

from . import style

# (json key, label); the sweep column is key + "_s". Ten terms need ten colours: Paul Tol's
# colour-blind-safe "muted" scheme (personal.sron.nl/~pault) plus its pale grey.
TERMS = [("compute", "compute"), ("recompute", "recompute"), ("tp_comm", "TP comm."), ("cp_comm", "CP comm."),
         ("ep_comm", "EP comm."), ("pp_comm", "PP comm."), ("pp_bubble", "pipeline bubble"), ("dp_comm", "DP comm."),
         ("optimizer", "optimizer"), ("overhead", "overhead")]
TERM_COLOURS = ["#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499", "#DDDDDD"]

# The compute term by kernel class (`rackscope step --json`'s compute_by_kernel): (json key, label).
KERNEL_CLASSES = [("gemm", "GEMM"), ("attention", "attention"), ("elementwise", "elementwise"), ("quantization", "quantization"),
                  ("launch_bound", "launch-bound")]

MEMORY_KINDS = ["weights", "gradients", "optimizer", "activations", "buffers"]


def stacked_bars(ax, labels, matrix, names, colours, unit_scale=1.0):
    """One bar per label, stacked by column of `matrix`; segments that are zero everywhere are
    left out of the legend. Each segment's SVG id is `bar:<name>:<i>`."""
    matrix = np.asarray(matrix, dtype=float) * unit_scale
    x = np.arange(len(labels))
    bottom = np.zeros(len(labels))
    for j, (name, colour) in enumerate(zip(names, colours)):
        col = matrix[:, j]
        if not np.any(col > 0):
            continue
        bars = ax.bar(x, col, bottom=bottom, color=colour, label=name, edgecolor="white", linewidth=0.5)
        for i, b in enumerate(bars):
            b.set_gid(f"bar:{style.slug(name)}:{i}")
        bottom += col
    ax.set_xticks(x)
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=8)
    return bottom
