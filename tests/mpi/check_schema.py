#!/usr/bin/env python3
"""Reads a sweep's HDF5 file back with h5py and checks it against the documented schema (README
"Sweeps and the HDF5 schema"): groups and datasets, a units attribute for every column, row
counts (/results the feasible rows, /refused the others as index and reason, together every
configuration once), the mixed-radix decoding of every axis column, derived columns, reason
counts, the Pareto set, the verbatim inputs and their SHA-256, and the layout `h5dump -H` shows;
then the two edge cases, a sweep with every configuration refused and one with none.

Usage: check_schema.py RACKSCOPE_BINARY SOURCE_DIR"""
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np

from common import Checks, mpirun

binary, root = sys.argv[1], sys.argv[2]
spec = os.path.join(root, "tests", "mpi", "sweeps", "mixed.toml")
c = Checks()


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def check_economics(r, feas, names, units, space):
    """The sizing answer's columns: units, the bill of materials `rackscope cost` prints for the
    same cluster and rack count, and the identities that tie them together."""
    unit = dict(zip(names, units))
    expected = {"rack_capex_usd": "USD", "cluster_capex_usd": "USD", "load_power_W": "W", "goodput": "1",
                "wall_time_s": "s", "facility_energy_J": "J", "tco_usd": "USD"}
    c.check(all(unit.get(k) == v for k, v in expected.items()), "economics columns carry their units", str(unit))
    clusters = [text(x) for x in space["cluster"][()]]
    bandwidths = [text(x) for x in space["set.scale_out.link_bandwidth"][()]]
    bom_ok, peak_ok = True, True
    for ci, cluster in enumerate(clusters):
        for rk in np.unique(r["racks"]):
            for bi, bw in enumerate(bandwidths):
                rows = r[feas & (r["cluster"] == ci) & (r["racks"] == rk) & (r["set.scale_out.link_bandwidth"] == bi)]
                if len(rows) == 0:
                    continue
                path = cluster if os.path.exists(cluster) else os.path.join(root, cluster)  # stored as the sweep normalised it
                p = subprocess.run([binary, "cost", path, "--set", f"racks={rk}", "--set", f"scale_out.link_bandwidth={bw}", "--json"],
                                   capture_output=True, text=True)
                if not c.check(p.returncode == 0, f"rackscope cost {cluster} racks={rk} runs", p.stderr):
                    return
                cost = json.loads(p.stdout)
                bom_ok &= bool(np.all(rows["cluster_capex_usd"] == cost["cluster_usd"]) and np.all(rows["rack_capex_usd"] == cost["rack_usd"]))
                peak_ok &= bool(np.all(rows["load_power_W"] <= cost["peak_power"]["facility_W"] * (1 + 1e-12)))
    c.check(bom_ok, "rack_capex_usd and cluster_capex_usd are what `rackscope cost` prints for that cluster and rack count")
    c.check(peak_ok, "load_power_W is at most the facility peak `rackscope cost` prints")
    f = r[feas]
    c.check(np.all((f["goodput"] > 0) & (f["goodput"] <= 1)), "0 < goodput <= 1")
    c.check(np.allclose(f["wall_time_s"], f["time_to_train_s"] / f["goodput"], rtol=1e-9), "wall_time_s = time_to_train_s / goodput")
    c.check(np.allclose(f["facility_energy_J"], f["load_power_W"] * f["wall_time_s"], rtol=1e-12), "facility_energy_J = load_power_W x wall_time_s")
    c.check(np.all(f["tco_usd"] > 0), "tco_usd is positive on every feasible row")
    c.check(np.all(np.isfinite(r["step_time_s"])) and np.all(np.isfinite(r["tco_usd"])), "every /results row is timed and priced (refused rows are in /refused)")


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "mixed.h5")
    p = mpirun(2, binary, ["sweep", spec, "-o", out, "--quiet"])
    if not c.check(p.returncode == 0, "the sweep runs at 2 ranks", p.stderr[-2000:]):
        c.finish()
    c.check(not os.path.exists(out + ".partial") and not os.path.exists(out + ".tmp"), "no checkpoint or temporary file is left")
    f = h5py.File(out, "r")
    c.check(set(f.keys()) == {"meta", "space", "results", "refused", "infeasible", "pareto"},
            "top level: meta, space, results, refused, infeasible, pareto", str(list(f.keys())))
    res, space, ref = f["results"], f["space"], f["refused"]
    c.check(text(res.attrs.get("rows", "")) == "feasible", "/results attribute rows = feasible")
    names = res.dtype.names
    units = [text(u) for u in res.attrs["units"]]
    c.check([text(x) for x in res.attrs["columns"]] == list(names), "/results attribute `columns` lists the compound fields in order")
    c.check(len(units) == len(names) and all(units), "every /results column has a non-empty unit", str(list(zip(names, units))))
    c.check(dict(zip(names, units)).get("step_time_s") == "s" and dict(zip(names, units)).get("memory_per_chip_B") == "B"
            and dict(zip(names, units)).get("cost_usd") == "USD", "units of step_time_s, memory_per_chip_B, cost_usd: s, B, USD")

    axes = [text(a) for a in space.attrs["axes"]]
    radices = [len(space[a]) for a in axes]
    total = int(np.prod(radices))
    c.check(total == int(space.attrs["total"]) == len(res) + len(ref), f"/results and /refused hold {total} rows together",
            f"{len(res)} + {len(ref)} rows")
    c.check(total == 2 * 3 * 2 * 2 * 5 * 4 * 2 * 2 * 3 * 2 * 2, "the total is the product of the spec's axis sizes (23,040)", str(total))
    c.check(axes[:3] == ["cluster", "racks", "set.scale_out.link_bandwidth"] and axes[3] == "workload",
            "cluster-shaping axes come first, then the workload", str(axes))
    c.check(all("units" in space[a].attrs for a in axes), "every /space axis has a units attribute")
    r, q = res[()], ref[()]
    c.check(np.all(np.diff(r["index"].astype(np.int64)) > 0) and np.all(np.diff(q["index"]) > 0),
            "/results and /refused rows are each in ascending index order")
    c.check(np.array_equal(np.sort(np.concatenate([r["index"].astype(np.int64), q["index"]])), np.arange(total)),
            "every configuration is in /results or /refused, once")
    c.check(q.dtype.names == ("index", "reason") and q.dtype["index"] == np.int64, "/refused rows: index (int64), reason", str(q.dtype))
    c.check([text(x) for x in ref.attrs["columns"]] == ["index", "reason"] and [text(x) for x in ref.attrs["units"]] == ["1", "code"]
            and len(ref.attrs["descriptions"]) == 2, "/refused attributes columns, units and descriptions")
    stride = 1
    strides = {}
    for a in reversed(axes):
        strides[a] = stride
        stride *= len(space[a])
    c.check(all(int(space[a].attrs["stride"]) == strides[a] for a in axes), "axis strides follow the mixed-radix order")
    ok = True
    for a in axes:
        digit = (r["index"] // strides[a]) % len(space[a])
        values = space[a][()]
        col = r[a]
        expect = digit if values.dtype.kind in "SO" else values[digit]
        ok &= np.array_equal(col, expect.astype(col.dtype))
    c.check(ok, "every axis column decodes from the index (value, or index into /space for strings)")

    feas = r["feasible"] == 1
    reason = r["reason"].astype(int)
    c.check(np.all(feas) and np.all(reason == 0), "/results rows are feasible (feasible 1, reason 0)")
    c.check(np.all(q["reason"].astype(int) != 0), "/refused rows have a reason other than feasible")
    c.check(len(r) > 0 and len(q) > 0, "the test sweep has feasible and refused configurations")
    c.check(np.all(r["tokens_per_s"][feas] > 0) and np.all(r["mfu"][feas] > 0) and np.all(r["mfu"][feas] < 1), "feasible rows: tokens/s > 0, 0 < MFU < 1")
    terms = [n for n in names if n.endswith("_s") and n not in ("step_time_s", "time_to_train_s", "tokens_per_s", "wall_time_s")]
    total_terms = sum(r[t][feas] for t in terms)
    c.check(np.allclose(total_terms, r["step_time_s"][feas], rtol=1e-9), "breakdown terms add up to the step time", str(terms))
    c.check(np.allclose(r["time_to_train_s"][feas], 15e12 / r["tokens_per_s"][feas], rtol=1e-12), "time_to_train_s = train_tokens / tokens_per_s")
    c.check(np.allclose(r["energy_J"][feas], r["power_W"][feas] * r["time_to_train_s"][feas], rtol=1e-12), "energy_J = power_W x time_to_train_s")
    c.check(np.all(r["cost_usd"][feas] > 0) and np.allclose(r["cost_usd"][feas] / r["chips"][feas], r["cost_usd"][feas][0] / r["chips"][feas][0]),
            "cost_usd is chips x one unit cost (the same Trn2 chip everywhere)")
    check_economics(r, feas, names, units, space)
    enum = h5py.check_enum_dtype(res.dtype["reason"])
    c.check(h5py.check_enum_dtype(ref.dtype["reason"]) == enum, "/refused's reason has the enum type of /results' reason")
    inf = f["infeasible"][()]
    reason_names = [text(n) for n in inf["name"]]
    c.check(enum is not None and [k for k, _ in sorted(enum.items(), key=lambda kv: kv[1])] == reason_names,
            "the reason column is an HDF5 enum whose names match /infeasible")
    code = {n: i for i, n in enumerate(reason_names)}
    # A refused configuration's axis values follow from its index; its chips from the racks axis
    # and each cluster's chips per rack (read off the feasible rows).
    per_rack = {int(ci): int(r["chips"][r["cluster"] == ci][0] // r["racks"][r["cluster"] == ci][0]) for ci in np.unique(r["cluster"])}
    over = q[q["reason"].astype(int) == code["over_max_chips"]]
    over_chips = [space["racks"][(i // strides["racks"]) % len(space["racks"])] * per_rack[(i // strides["cluster"]) % len(space["cluster"])]
                  for i in over["index"]]
    c.check(len(per_rack) == 2 and np.all(np.array(over_chips) > 200) and np.all(r["chips"] <= 200),
            "max_chips = 200: configurations over it carry over_max_chips, feasible rows are within it", str(per_rack))
    refused_reason = q["reason"].astype(int)
    c.check(len(over) > 0 and (refused_reason == code["out_of_memory"]).sum() > 0, "the sweep exercises a constraint and out-of-memory rows")
    counts = np.bincount(np.concatenate([reason, refused_reason]), minlength=len(reason_names))
    c.check(np.array_equal(inf["configurations"], counts) and inf["configurations"].sum() == total, "/infeasible counts every reason, summing to the total")
    c.check("units" in f["infeasible"].attrs, "/infeasible has units")

    par = f["pareto"][()]
    c.check("units" in f["pareto"].attrs and [text(o) for o in f["pareto"].attrs["objectives"]] ==
            ["maximize tokens_per_s", "minimize cost_usd", "minimize memory_per_chip_B"], "/pareto records its objectives and units")
    c.check(len(par) > 0 and np.all(par["feasible"] == 1) and np.all(np.diff(par["index"].astype(np.int64)) > 0), "/pareto: feasible rows in index order")
    at = np.searchsorted(r["index"], par["index"])
    c.check(all(r[int(k)].tobytes() == row.tobytes() for k, row in zip(at, par)), "/pareto rows equal their /results rows")
    obj = lambda rows: np.stack([-rows["tokens_per_s"], rows["cost_usd"], rows["memory_per_chip_B"]], axis=1)
    fo, po = obj(r[feas]), obj(par)
    dominated = [np.any(np.all(fo <= q, axis=1) & np.any(fo < q, axis=1)) for q in po]
    c.check(not any(dominated), "no Pareto row is dominated by a feasible row")
    in_front = np.isin(r["index"][feas], par["index"])
    missing = [q for q, inside in zip(fo, in_front) if not inside and not np.any(np.all(po <= q, axis=1) & np.any(po < q, axis=1))
               and not np.any(np.all(po == q, axis=1))]
    c.check(not missing, "every feasible row outside /pareto is dominated by a Pareto row", f"{len(missing)} not dominated")

    meta = f["meta"]
    for k in ("tool_version", "git_describe", "command_line", "ranks", "start_time", "end_time", "spec", "resumes"):
        c.check(k in meta.attrs, f"/meta has {k}")
    c.check("sweep" in text(meta.attrs["command_line"]) and int(meta.attrs["ranks"]) == 2, "/meta command line and rank count")
    iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    c.check(bool(iso.match(text(meta.attrs["start_time"]))) and bool(iso.match(text(meta.attrs["end_time"]))), "start and end times in ISO 8601 UTC")
    inputs = meta["inputs"]
    paths = [text(inputs[k].attrs["path"]) for k in inputs]
    c.check(any(pth.endswith("mixed.toml") for pth in paths) and any(pth.endswith("trn2.toml") for pth in paths)
            and any(pth.endswith("llama-3.1-70b.toml") for pth in paths), "/meta/inputs holds the spec, chips and models", str(paths))
    good = True
    for k in inputs:
        body = inputs[k][()]
        path = text(inputs[k].attrs["path"])
        with open(path, "rb") as disk:
            good &= body == disk.read() and text(inputs[k].attrs["sha256"]) == hashlib.sha256(body).hexdigest()
    c.check(good, "every input is stored verbatim with its SHA-256")
    f.close()

    dump = subprocess.run(["h5dump", "-H", "-p", out], capture_output=True, text=True).stdout
    for needle in ('GROUP "meta"', 'GROUP "inputs"', 'GROUP "space"', 'DATASET "results"', 'DATASET "refused"', 'DATASET "pareto"',
                   'DATASET "infeasible"',
                   "H5T_COMPOUND", "H5T_ENUM", 'ATTRIBUTE "units"', "CHUNKED", "COMPRESSION DEFLATE", "SHUFFLE"):
        c.check(needle in dump, f"h5dump -H shows {needle}")
    c.check(all(f'"{n}"' in dump for n in names), "h5dump -H shows every column")


def check_edge(name, feasible):
    """A sweep whose configurations are all feasible (`feasible`) or all refused: the empty dataset
    is still there with its type and attributes."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, name + ".h5")
        p = mpirun(2, binary, ["sweep", os.path.join(root, "tests", "mpi", "sweeps", name + ".toml"), "-o", out, "--quiet"])
        if not c.check(p.returncode == 0, f"{name}: the sweep runs at 2 ranks", p.stderr[-2000:]):
            return
        with h5py.File(out, "r") as f:
            res, ref, total = f["results"], f["refused"], int(f["space"].attrs["total"])
            c.check((len(res), len(ref)) == ((total, 0) if feasible else (0, total)),
                    f"{name}: {'every' if feasible else 'no'} configuration in /results, {'none' if feasible else 'all'} in /refused",
                    f"{len(res)} + {len(ref)} of {total}")
            c.check(res.dtype.names[:2] == ("index", "workload") and "step_time_s" in res.dtype.names
                    and [text(x) for x in res.attrs["columns"]] == list(res.dtype.names) and text(res.attrs["rows"]) == "feasible"
                    and len(res.attrs["units"]) == len(res.dtype.names), f"{name}: /results has its compound type and attributes")
            c.check(ref.dtype.names == ("index", "reason") and h5py.check_enum_dtype(ref.dtype["reason"]) is not None
                    and [text(x) for x in ref.attrs["columns"]] == ["index", "reason"], f"{name}: /refused has its type and attributes")
            inf = f["infeasible"][()]
            c.check(int(inf["configurations"][0]) == (total if feasible else 0) and int(inf["configurations"].sum()) == total,
                    f"{name}: /infeasible counts them")
            c.check((len(f["pareto"]) > 0) == feasible, f"{name}: /pareto {'has rows' if feasible else 'is empty'}")
            if feasible:
                c.check(np.array_equal(res["index"], np.arange(total)), f"{name}: /results rows in index order")
            else:
                c.check(np.array_equal(ref["index"], np.arange(total)), f"{name}: /refused rows in index order")


check_edge("none_refused", True)
check_edge("all_refused", False)
c.finish()
