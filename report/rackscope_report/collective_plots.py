"""Bus bandwidth against message size from `rackscope collective --json` outputs, the way
nccl-tests results are drawn: log-x in bytes, one line per cluster/op/ranks, a marker per
algorithm the runtime picked."""
from matplotlib.ticker import FuncFormatter

from . import style
from .plot import Plot, Table, fmt


def bytes_label(v, _pos=None):
    for unit, scale in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if v >= scale:
            return f"{v / scale:g}{unit}"
    return f"{v:g}"


def plots(items, outdir, stem="collective"):
    fig, axes = style.figure()
    ax = axes[0][0]
    algos = sorted({row["algorithm"] for _, d in items for row in d["rows"]})
    rows = []
    for si, (name, d) in enumerate(items):
        series = f"{d['op']} on {d['cluster']}, {d['ranks']} ranks, {d.get('dtype', '')}"
        pts = sorted(d["rows"], key=lambda r: r["bytes"])
        ax.plot([p["bytes"] for p in pts], [p["busbw_GBps"] for p in pts], color=style.colour(si), linewidth=1.2, label=series)
        for a in algos:
            mine = [p for p in pts if p["algorithm"] == a]
            if mine:
                m, = ax.plot([p["bytes"] for p in mine], [p["busbw_GBps"] for p in mine], linestyle="none", color=style.colour(si),
                             marker=style.marker(algos.index(a)), markersize=5)
                m.set_gid(f"points:{si}:{style.slug(a)}")
        rows += [[series, int(p["bytes"]), fmt(p["time_us"]), fmt(p["algbw_GBps"]), fmt(p["busbw_GBps"]),
                  f"{p['algorithm']}/{p['protocol']}"] for p in pts]
    for ai, a in enumerate(algos):
        ax.plot([], [], linestyle="none", marker=style.marker(ai), color="grey", label=f"algorithm: {a}")
    ax.set_xscale("log", base=2)
    ax.xaxis.set_major_formatter(FuncFormatter(bytes_label))
    style.label_axes(ax, "message size (bytes, K/M/G = 2^10/2^20/2^30)", "bus bandwidth (GB/s)")
    clusters = ", ".join(sorted({d["cluster"] for _, d in items}))
    ax.set_title(f"rackscope collective: {clusters}\nbus bandwidth against message size (nccl-tests busbw)", fontsize=9)
    style.legend(ax, loc="upper left")
    png, svg = style.save(fig, outdir, stem)
    table = Table("Rows as printed by rackscope collective", ["series", "bytes", "time (us)", "algbw (GB/s)", "busbw (GB/s)",
                                                               "algorithm/protocol"], rows)
    return [Plot(stem, "Bus bandwidth against message size", "busbw = algbw x the op's nccl-tests factor; markers show the algorithm "
                 "chosen at each size.", png, svg, [table])]
