"""One look for every plot: a colour-blind-safe palette (Okabe & Ito 2008), fonts that print, text
kept as text in the SVG (so tests and readers can find labels), and the save-both-formats step."""
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Okabe-Ito, ordered so the first two (CoWoS, EMIB in the quick start) differ in hue and lightness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

plt.rcParams.update({
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.fontsize": 8,
    "legend.framealpha": 0.9,
    "svg.fonttype": "none",  # <text> elements, not glyph paths
    "svg.hashsalt": "rackscope",  # the same input gives the same SVG bytes
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "savefig.bbox": "tight",
})


def colour(i):
    return PALETTE[i % len(PALETTE)]


def marker(i):
    return MARKERS[i % len(MARKERS)]


def slug(text):
    """An SVG id fragment from a label: tests find a series' points by `points:<slug>`."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-") or "x"


def label_axes(ax, xlabel, ylabel):
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.xaxis.label.set_gid("xlabel")
    ax.yaxis.label.set_gid("ylabel")


def legend(ax, **kw):
    leg = ax.legend(**kw)
    if leg is not None:
        leg.set_gid("legend")
    return leg


def figure(ncols=1, nrows=1, width=7.5, height=4.6):
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), squeeze=False)
    return fig, axes


def save(fig, outdir, name):
    """Writes NAME.png and NAME.svg; returns their paths."""
    png, svg = outdir / f"{name}.png", outdir / f"{name}.svg"
    fig.savefig(png)
    fig.savefig(svg, metadata={"Date": None})
    plt.close(fig)
    return png, svg
