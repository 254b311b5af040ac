#!/usr/bin/env python3
"""Every plot kind of `rackscope report`, rendered from a small file made here and read back from
its SVG: the number of points or bars each series drew, the axis labels (with units), the legend
entries; then the error cases (corrupt and foreign HDF5, JSON of an unknown kind, an unwritable
output folder: one line, exit 2).

Usage: check_plots.py RACKSCOPE_BINARY SOURCE_ROOT"""
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "inputs"))
import samples  # noqa: E402
from checker import check, finish  # noqa: E402
from svg import Svg  # noqa: E402

binary, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])


def report(inputs, out):
    return subprocess.run([binary, "report", *map(str, inputs), "-o", str(out)], capture_output=True, text=True, timeout=300)


def ran(p, what):
    check(p.returncode == 0, f"{what}: report exits 0 (got {p.returncode}: {p.stderr.strip()[-300:]})")
    return p.returncode == 0


def has_labels(s, what, x_part, y_part):
    xs, ys = " ".join(s.texts("xlabel")), " ".join(s.texts("ylabel"))
    check(x_part in xs, f"{what}: x axis labelled with '{x_part}' (got {xs!r})")
    check(y_part in ys, f"{what}: y axis labelled with '{y_part}' (got {ys!r})")


def check_sweep(tmp):
    expect = samples.sweep_h5(tmp / "s.h5")
    out = tmp / "sweep"
    if not ran(report([tmp / "s.h5"], out), "sweep"):
        return
    s = Svg(out / "sweep-pareto.svg")
    for pack, n in expect["front"].items():
        check(s.markers(f"front:{pack}") == n, f"sweep Pareto: {pack} front has {n} points (got {s.markers(f'front:{pack}')})")
    clouds = sum(s.markers(i) for i in s.ids("points:"))
    check(clouds == expect["feasible"], f"sweep Pareto: every feasible configuration drawn ({expect['feasible']}, got {clouds})")
    has_labels(s, "sweep Pareto", "(USD M)", "time to train (days)")
    legend = " | ".join(s.texts("legend"))
    check("CoWoS-X" in legend and "EMIB-Y" in legend and "rack: rack-a" in legend, f"sweep Pareto: legend names packagings and racks ({legend})")
    t = Svg(out / "sweep-throughput.svg")
    got = {i: t.markers(i) for i in t.ids("best:")}
    check(got == {"best:CoWoS-X:rack-a": 4, "best:EMIB-Y:rack-b": 4}, f"sweep throughput: best per chip count, 4 sizes each ({got})")
    has_labels(t, "sweep throughput", "chips", "(tokens/s)")
    inf = Svg(out / "sweep-infeasible.svg")
    bars = inf.ids("bar:reason:")
    check(bars == sorted(f"bar:reason:{r}" for r in expect["reasons"]), f"sweep infeasible: one bar per reason with configurations ({bars})")
    check(all(f"{v:,}" in inf.all_text() for v in expect["reasons"].values()), "sweep infeasible: each bar shows its count")
    b = Svg(out / "sweep-breakdown.svg")
    check(len(b.ids("bar:compute:")) == 8 and len(b.ids("bar:TP-comm.:")) == 8, "sweep breakdown: the 8 fastest, compute and TP terms")
    check(b.ids("bar:DP-comm.:") == [], "sweep breakdown: a term that is zero everywhere is not drawn")
    has_labels(b, "sweep breakdown", "configuration", "step time (s)")


def check_sweep_all_refused(tmp):
    """A sweep where every configuration was refused: /results and /pareto have no rows; the
    page has the reasons chart alone."""
    path = tmp / "none.h5"
    samples.sweep_h5(path)
    with h5py.File(path, "r+") as f:
        for name in ("results", "pareto"):
            rows = f[name][()]
            del f[name]
            f.create_dataset(name, data=rows[:0])
    out = tmp / "sweep-none"
    if not ran(report([path], out), "sweep with no feasible configuration"):
        return
    got = sorted(p.name for p in out.glob("*.svg"))
    check(got == ["sweep-infeasible.svg"], f"sweep with no feasible configuration: the reasons chart only ({got})")


def check_step(tmp):
    terms = samples.step_json(tmp / "a.json")["terms"]
    samples.step_json(tmp / "b.json", feasible=False)
    out = tmp / "step"
    if not ran(report([tmp / "a.json", tmp / "b.json"], out), "step"):
        return
    s = Svg(out / "step-breakdown.svg")
    segs = {i.split(":")[1] for i in s.ids("bar:")}
    check(len(segs) == terms and len(s.ids("bar:")) == terms, f"step breakdown: {terms} non-zero terms, one bar (got {sorted(segs)})")
    check(len(s.texts("legend")) == terms, "step breakdown: one legend entry per term")
    has_labels(s, "step breakdown", "configuration", "step time (s)")
    m = Svg(out / "step-memory.svg")
    check(len(m.ids("bar:weights:")) == 2 and len(m.ids("bar:activations:")) == 2, "step memory: a stack for each input, infeasible too")
    check(len(m.ids("hbm:")) == 2, f"step memory: the HBM line over each stack ({m.ids('hbm:')})")
    check("HBM capacity per chip" in m.texts("legend"), "step memory: HBM in the legend")
    has_labels(m, "step memory", "configuration", "memory per chip (GiB)")
    page = (out / "index.html").read_text()
    check("compute: GEMM" in page and "compute: launch-bound" in page and ">3<" in page,
          "step table: the compute term by kernel class, with the sample's GEMM seconds")


def check_collective(tmp):
    a = samples.collective_json(tmp / "c1.json")
    samples.collective_json(tmp / "c2.json", cluster="trn2-48xl", algos=("ring", "mesh"))
    out = tmp / "coll"
    if not ran(report([tmp / "c1.json", tmp / "c2.json"], out), "collective"):
        return
    s = Svg(out / "collective.svg")
    got = {i: s.markers(i) for i in s.ids("points:")}
    check(got == {"points:0:rhd": 5, "points:0:ring": 3, "points:1:ring": 5, "points:1:mesh": 3},
          f"collective: points per series and algorithm ({got}; expected {a['points']} for the first)")
    has_labels(s, "collective", "message size (bytes", "bus bandwidth (GB/s)")
    legend = s.texts("legend")
    check(sum("allreduce on" in t for t in legend) == 2 and {"algorithm: rhd", "algorithm: ring", "algorithm: mesh"} <= set(legend),
          f"collective: a legend entry per series and algorithm ({legend})")
    check("1M" in s.all_text() and "64M" in s.all_text(), "collective: log-x ticks read 1M ... 64M")


def check_size(tmp):
    e = samples.size_json(tmp / "size.json")
    out = tmp / "size"
    p = subprocess.run([binary, "report", str(tmp / "size.json"), "-o", str(out), "--budget", "300e6"], capture_output=True, text=True)
    if not ran(p, "size"):
        return
    s = Svg(out / "size.svg")
    for kind in ("chosen", "closest"):
        for rack, n in e[kind].items():
            # three panels: time, cost, goodput, each with every option
            got = sum(s.markers(f"{kind}:{rack}:{panel}") or 0 for panel in ("time", "cost", "goodput"))
            check(got == 3 * n, f"size: {n} {kind} option(s) of {rack} in each of 3 panels (got {got} markers)")
    check("deadline" in s.groups and "budget" in s.groups, "size: deadline and budget lines drawn")
    xs, ys = s.texts("xlabel"), s.texts("ylabel")
    check(xs.count("racks") == 2 and "chips" in xs, f"size: x axes racks, racks, chips ({xs})")
    check(any("(days)" in y for y in ys) and any("(USD M)" in y for y in ys) and any("goodput" in y for y in ys), f"size: y axes with units ({ys})")
    legend = " | ".join(s.texts("legend"))
    check("deadline 90 days" in legend and "(chosen)" in legend and "(closest)" in legend, f"size: legend ({legend})")


def check_compare(tmp):
    e = samples.compare_json(tmp / "cmp.json")
    out = tmp / "cmp"
    if not ran(report([tmp / "cmp.json"], out), "compare"):
        return
    s = Svg(out / "compare.svg")
    for key in e["panels"]:
        check(len(s.ids(f"bar:{key}:")) == e["configurations"], f"compare: panel {key} has a bar per configuration")
    best = sorted(i for i in s.groups if i.startswith("best:"))
    check(best == sorted(f"best:{k}" for k in e["best"]), f"compare: best marked on exactly the rows `best` flags ({best})")
    check("n/a" in s.all_text(), "compare: a null value is shown as n/a, not as zero")
    check(len(s.texts("ylabel")) == len(e["panels"]), "compare: every panel's axis labelled")
    check(sorted(s.texts("legend")) == sorted(["trn2-ultraserver-x64", "trn3-ultraserver-gen2", "h100-8x"]), "compare: legend names each configuration")


def check_fabric(tmp):
    e = samples.fabric_dot(tmp / "f.dot")
    out = tmp / "fab"
    if not ran(report([tmp / "f.dot"], out), "fabric"):
        return
    s = Svg(out / "fabric.svg")
    for tier in ("on_chip", "die_to_die", "scale_up", "host", "scale_out"):
        got = len(s.ids(f"edge:{tier}:"))
        check(got == e[tier], f"fabric: {e[tier]} {tier} link(s) drawn in the tier's colour (got {got})")
    check(len(s.ids("node:")) == e["nodes"], f"fabric: every chip, die, NIC and switch drawn, cores left out ({len(s.ids('node:'))})")
    legend = " ".join(s.texts("legend"))
    check(all(t in legend for t in ("scale_up", "scale_out", "die_to_die")), f"fabric: tier legend ({legend})")


def check_validation(tmp):
    e = samples.validation_json(tmp / "v.json")
    out = tmp / "val"
    if not ran(report([tmp / "v.json"], out), "validation"):
        return
    s = Svg(out / "validation.svg")
    check(s.markers("points:Paper-A-table-1") == 6 and s.markers("points:Paper-B-table-2") == 4, "validation: every enforced row a point")
    check(s.markers("printed:Paper-B-table-2") == 1, "validation: a printed-only row drawn hollow")
    legend = s.texts("legend")
    for src, (n, med, worst) in ((k, v) for k, v in e.items() if k != "printed"):
        want = f"{src}: {n} rows, median |err| {med}, max {worst}"
        check(want in legend, f"validation: legend says '{want}' ({legend})")
    check(any("10%" in t for t in legend), "validation: the 10% band in the legend")
    has_labels(s, "validation", "measured (s/step)", "predicted by rackscope (s/step)")


def check_validation_shared_panel(tmp):
    """Two dumps of one quantity (the training-step scripts) share one panel; another quantity
    keeps its own."""
    samples.validation_json(tmp / "v1.json")
    rows = [{"source": "Paper C", "label": f"c{i}", "unit": "s/step", "measured": 3.0 + i, "predicted": 3.3 + i, "enforced": True,
             "group": "time"} for i in range(3)]
    json.dump({"kind": "rackscope-validation", "script": "other_validation.py", "quantity": "step time", "rows": rows},
              open(tmp / "v2.json", "w"))
    json.dump({"kind": "rackscope-validation", "script": "third_validation.py", "quantity": "all-reduce time",
               "rows": [dict(r, source="Paper D", unit="us") for r in rows]}, open(tmp / "v3.json", "w"))
    out = tmp / "val-shared"
    if not ran(report([tmp / "v1.json", tmp / "v2.json", tmp / "v3.json"], out), "validation (shared panel)"):
        return
    s = Svg(out / "validation.svg")
    check(s.markers("points:Paper-A-table-1") == 6 and s.markers("points:Paper-C") == 3 and s.markers("points:Paper-D") == 3,
          "validation (shared panel): every dump's rows drawn")
    titles = [t for t in s.all_text() if "step time" in t or "all-reduce time" in t]
    check(sum("made_up_validation.py + other_validation.py" in t and "step time" in t for t in titles) == 1
          and not any(t.startswith("other_validation.py") for t in titles) and sum("third_validation.py: all-reduce time" in t for t in titles) == 1,
          f"validation (shared panel): one panel per quantity ({titles})")


def check_validation_numbers(tmp):
    """The shipped validation chart states the numbers the validation scripts print."""
    vdir = os.path.join(root, "tests", "validation")
    printed = {}
    for v in ("training", "collectives"):
        p = subprocess.run([sys.executable, os.path.join(vdir, f"{v}_validation.py"), binary, vdir, "--json", str(tmp / f"{v}.json")],
                           capture_output=True, text=True, timeout=600)
        printed[v] = p.stdout
        check(p.returncode in (0, 1) and (tmp / f"{v}.json").exists(), f"{v}_validation.py --json writes its rows")
    if not ran(report([tmp / "training.json", tmp / "collectives.json"], tmp / "real-val"), "validation (shipped)"):
        return
    s = Svg(tmp / "real-val" / "validation.svg")
    text = " | ".join(s.all_text())
    m = re.search(r"^-> (\d+) rows: median \|error\| ([\d.]+%), max ([\d.]+%)", printed["training"], re.M)
    want = f"time and throughput: {m.group(1)} rows, median |err| {m.group(2)}, max {m.group(3)}" if m else "(no summary printed)"
    check(want in text, f"validation chart: the training script's summary '{want}'")
    rows = re.findall(r"^(.{60}) +(\d+) +([\d.]+%) +([\d.]+%)  (?:PASS|FAIL)$", printed["collectives"], re.M)
    legend = s.texts("legend")
    check(len(rows) >= 4, f"collectives script printed its per-system summary ({len(rows)} rows)")
    for system, n, med, worst in rows:
        name = system.split("  [")[0].strip()
        hit = [t for t in legend if t.startswith(name) and t.endswith(f": {n} rows, median |err| {med}, max {worst}")]
        check(len(hit) == 1, f"validation chart: '{name}' with {n} points, median {med}, max {worst} as the script prints")


def one_line_exit_2(p, what, needle):
    lines = p.stderr.strip().splitlines()
    check(p.returncode == 2 and len(lines) == 1 and needle in p.stderr,
          f"{what}: one line, exit 2 (got {p.returncode}: {p.stderr.strip()[:300]!r})")


def check_errors(tmp):
    samples.step_json(tmp / "ok.json")
    bad = tmp / "corrupt.h5"
    good = tmp / "good.h5"
    samples.sweep_h5(good)
    bad.write_bytes(good.read_bytes()[:4096])
    one_line_exit_2(report([bad], tmp / "e1"), "corrupt HDF5", "corrupt.h5")
    with h5py.File(tmp / "foreign.h5", "w") as f:
        f.create_dataset("data", data=np.arange(3))
    one_line_exit_2(report([tmp / "foreign.h5"], tmp / "e2"), "foreign HDF5", "not a rackscope sweep result")
    (tmp / "topo.json").write_text('{"chips": 16, "ranks": 64, "tiers": []}')
    one_line_exit_2(report([tmp / "topo.json"], tmp / "e3"), "JSON of another kind", "JSON of an unknown kind")
    samples.collective_json(tmp / "c.json")
    c = json.loads((tmp / "c.json").read_text())
    del c["rows"][3]["algorithm"]
    (tmp / "c.json").write_text(json.dumps(c))
    one_line_exit_2(report([tmp / "c.json"], tmp / "e6"), "collective row without its algorithm", "item 3: missing algorithm")
    (tmp / "broken.json").write_text('{"breakdown": ')
    one_line_exit_2(report([tmp / "broken.json"], tmp / "e4"), "truncated JSON", "broken.json:1")
    ro = tmp / "readonly"
    ro.mkdir()
    ro.chmod(0o500)
    target = ro / "out" if os.geteuid() != 0 else Path("/proc/rackscope-report")  # root writes anywhere but /proc
    one_line_exit_2(report([tmp / "ok.json"], target), "unwritable output folder", "not writable")
    one_line_exit_2(report([tmp / "missing.json"], tmp / "e5"), "missing input", "missing.json")
    one_line_exit_2(subprocess.run([binary, "report", str(tmp / "ok.json")], capture_output=True, text=True), "no -o", "-o")


with tempfile.TemporaryDirectory() as d:
    tmp = Path(d)
    for f in (check_sweep, check_sweep_all_refused, check_step, check_collective, check_size, check_compare, check_fabric, check_validation, check_validation_shared_panel, check_validation_numbers, check_errors):
        f(tmp)
finish()
