"""A rack's fabric from `rackscope topo --dot`, redrawn by Graphviz with each tier in its own
colour. The DOT colours scale-up blue, scale-out red and the rest grey; the grey links are told
apart by their ends (two dies of one chip: die-to-die; a core, or a die and its chip: on-chip;
the rest: host). Cores (one point per rank) are left out so the picture stays readable."""
import re
import shutil
import subprocess

from . import style
from .plot import Plot, ReportError, Table

TIERS = ["on_chip", "die_to_die", "scale_up", "host", "scale_out"]
TIER_COLOURS = dict(zip(TIERS, ["#999999", "#CC79A7", "#0072B2", "#009E73", "#D55E00"]))
NODE = re.compile(r'^\s*"([^"]+)"\s*\[shape=(\w+)\];\s*$')
EDGE = re.compile(r'^\s*"([^"]+)"\s*--\s*"([^"]+)"\s*\[label="([^"]*)",\s*color=(\w+)\];\s*$')
GRAPH = re.compile(r'^\s*(?:di)?graph\s+"([^"]*)"')


def _chip_of(name):
    m = re.match(r"^(.*\.chip\d+)(?:\.|$)", name)
    return m.group(1) if m else None


def tier(a, b, colour, shapes):
    if colour == "blue":
        return "scale_up"
    if colour == "red":
        return "scale_out"
    if shapes.get(a) == "point" or shapes.get(b) == "point":
        return "on_chip"
    ca, cb = _chip_of(a), _chip_of(b)
    if ca and ca == cb:
        return "die_to_die" if shapes.get(a) == "box3d" and shapes.get(b) == "box3d" else "on_chip"
    return "host"


def parse(text, source):
    name, shapes, edges = None, {}, []
    for line in text.splitlines():
        if name is None and (m := GRAPH.match(line)):
            name = m.group(1)
        elif m := NODE.match(line):
            shapes[m.group(1)] = m.group(2)
        elif m := EDGE.match(line):
            edges.append((m.group(1), m.group(2), m.group(3), m.group(4)))
    if name is None or not edges:
        raise ReportError(f"{source}: DOT without the nodes and links `rackscope topo --dot` writes")
    return name, shapes, edges


def plots(text, outdir, source, stem="fabric"):
    if shutil.which("dot") is None:
        raise ReportError(f"{source}: Graphviz `dot` not found (scripts/setup installs graphviz)")
    name, shapes, edges = parse(text, source)
    kept = [(a, b, bw, tier(a, b, c, shapes)) for a, b, bw, c in edges]
    counts = {t: sum(1 for *_, x in kept if x == t) for t in TIERS}
    bandwidths = {t: sorted({bw for *_, bw, x in kept if x == t}) for t in TIERS}
    drawn = [e for e in kept if shapes.get(e[0]) != "point" and shapes.get(e[1]) != "point"]
    cores = sum(1 for s in shapes.values() if s == "point")
    out = [f'graph "{name}" {{', '  graph [layout=neato, overlap=false, splines=true, outputorder=edgesfirst, fontname="DejaVu Sans",'
           f' label="rackscope topo --dot: {name} ({cores} cores not drawn)", labelloc=t, fontsize=14];',
           '  node [fontsize=8, fontname="DejaVu Sans", style=filled, fillcolor="#F7F7F7", height=0.25];',
           '  edge [penwidth=1.6];']
    for v, shape in shapes.items():
        if shape != "point":
            out.append(f'  "{v}" [shape={shape}, id="node:{style.slug(v)}"];')
    for i, (a, b, bw, t) in enumerate(drawn):
        out.append(f'  "{a}" -- "{b}" [color="{TIER_COLOURS[t]}", id="edge:{t}:{i}", tooltip="{t} {bw}"];')
    legend = [t for t in TIERS if any(x == t for *_, x in drawn)]
    rows = "".join(f'<tr><td><font color="{TIER_COLOURS[t]}">&#9644;&#9644;</font></td><td align="left">{t}: {counts[t]} links, '
                   f'{" / ".join(bandwidths[t])} per direction</td></tr>' for t in legend)
    out.append(f'  "legend" [id="legend", shape=plaintext, style="", pos="0,0", label=<<table border="1" cellborder="0">'
               f'<tr><td colspan="2"><b>tier</b></td></tr>{rows}</table>>];')
    out.append("}")
    dot_src = "\n".join(out) + "\n"
    (outdir / f"{stem}.dot").write_text(dot_src)
    png, svg = outdir / f"{stem}.png", outdir / f"{stem}.svg"
    for fmt_, path in (("png", png), ("svg", svg)):
        p = subprocess.run(["dot", f"-T{fmt_}", "-Gdpi=80", "-o", str(path)], input=dot_src, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise ReportError(f"{source}: Graphviz failed: {p.stderr.strip().splitlines()[-1] if p.stderr.strip() else p.returncode}")
    table = Table("Links per tier (each physical link once)", ["tier", "links", "drawn", "bandwidth per direction"],
                  [[t, counts[t], sum(1 for *_, x in drawn if x == t), ", ".join(bandwidths[t]) or "-"] for t in TIERS if counts[t]])
    return [Plot(stem, f"Fabric of {name}", f"Every chip, die, NIC and switch with its links, coloured by tier (neato layout); "
                 f"{cores} cores (one per rank) and their on-chip links are left out.", png, svg, [table])]
