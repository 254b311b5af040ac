#!/usr/bin/env python3
"""Checks every shipped input: each TOML number under topologies/ has a source or an
assumption (in its own table, or as { value = ..., source = ... }); every cluster loads, and
`topo --json` / `collective --json` have the documented shapes with self-consistent values.
Usage: check_shipped.py RACKSCOPE_BINARY SOURCE_ROOT"""
import json
import math
import subprocess
import sys

import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from checker import check, finish  # noqa: E402  (the shared counter beside this file)

rackscope, root = sys.argv[1], Path(sys.argv[2])


UNITS = ("B", "B/s", "bps", "Gbps", "Tbps", "s", "FLOP/s", "W", "pJ/bit", "mm", "um", "mm^2", "GiB", "GB", "TB/s", "GB/s")


def is_number(v):
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return True
    if isinstance(v, str):
        head = v.strip().split(" ")[0].replace("_", "")
        try:
            float(head)
            return len(v.strip().split(" ")) == 2
        except ValueError:
            return False
    if isinstance(v, list):
        return any(is_number(x) for x in v)
    return False


def provenance(path, table, where):
    has = isinstance(table.get("source"), str) or isinstance(table.get("assumption"), str)
    for key, value in table.items():
        if key in ("source", "assumption", "note", "name", "description", "kind"):
            continue
        if isinstance(value, dict):
            if "value" in value:
                check("source" in value or "assumption" in value, f"{path}: {where}{key}: number without source or assumption")
            else:
                provenance(path, value, f"{where}{key}.")
        elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            for i, item in enumerate(value):
                provenance(path, item, f"{where}{key}[{i}].")
        elif is_number(value):
            check(has, f"{path}: {where}{key} = {value!r}: hardware number without source or assumption")


for f in sorted((root / "topologies").rglob("*.toml")):
    provenance(f.relative_to(root), tomllib.load(open(f, "rb")), "")

# Profiles that differ from another only in their attention kernel keep the other's GEMM,
# elementwise and launch figures: a recalibration of the base must reach them too.
ATTENTION_VARIANTS = {"a100-triton-fa": "a100-fa2", "h100-triton-fa": "h100-megatron"}
for variant, base in ATTENTION_VARIANTS.items():
    v, b = (tomllib.load(open(root / "topologies/compute" / f"{n}.toml", "rb")) for n in (variant, base))
    for section in ("matmul", "elementwise", "launch"):
        check(v.get(section) == b.get(section), f"{variant}.toml [{section}] differs from its base {base}.toml")
    check(v.get("step_overhead") == b.get("step_overhead"), f"{variant}.toml step_overhead differs from {base}.toml")


def run(*args):
    r = subprocess.run([rackscope, *args], capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, f"rackscope {' '.join(args)} exited {r.returncode}: {r.stderr.strip()}")
    return json.loads(r.stdout) if r.returncode == 0 else None


FACTOR = {"allreduce": lambda n: 2 * (n - 1) / n, "allgather": lambda n: (n - 1) / n,
          "reducescatter": lambda n: (n - 1) / n, "alltoall": lambda n: (n - 1) / n,
          "broadcast": lambda n: 1.0, "sendrecv": lambda n: 1.0}
# Every shipped cluster, found by glob: a new one is checked without editing this file.
clusters = sorted((root / "topologies" / "clusters").glob("*.toml"))
check(len(clusters) > 0, f"no cluster found under {root / 'topologies' / 'clusters'}")
for cluster in clusters:
    name = cluster.stem
    topo = run("topo", str(cluster), "--json")
    if topo:
        for key in ("chips", "switches", "links", "diameter_hops", "bisection_GBps"):
            check(key in topo, f"topo {name}: key {key}")
        check(topo["chips"] > 0 and topo["bisection_GBps"] > 0 and topo["diameter_hops"] > 0, f"topo {name}: positive figures")
    ranks = min(topo["ranks"], 256) if topo else 8
    for op in FACTOR:
        out = run("collective", str(cluster), "--op", op, "--ranks", str(ranks), "-b", "1K", "-e", "256M", "-f", "16", "--json")
        if not out:
            continue
        check(out["cluster"] == name and out["op"] == op and out["ranks"] == ranks, f"collective {name} {op}: header keys")
        previous = 0
        for row in out["rows"]:
            for key in ("bytes", "time_us", "algbw_GBps", "busbw_GBps", "algorithm"):
                check(key in row, f"collective {name} {op}: row key {key}")
            check(row["time_us"] > previous, f"collective {name} {op}: time grows with size at {row['bytes']}")
            previous = row["time_us"]
            algbw = row["bytes"] / (row["time_us"] * 1e-6) / 1e9
            check(math.isclose(row["algbw_GBps"], algbw, rel_tol=1e-6), f"collective {name} {op}: algbw = S/t")
            check(math.isclose(row["busbw_GBps"], algbw * FACTOR[op](ranks), rel_tol=1e-6), f"collective {name} {op}: busbw factor")

# step: the documented JSON keys, and an infeasible execution reported with exit code 3.
def step(*args):
    return subprocess.run([rackscope, "step", str(root / "topologies/clusters/trn2-48xl.toml"),
                           str(root / "workloads/models/llama-3.1-8b.toml"), "--json", *args], capture_output=True, text=True, timeout=120)


ok = step("--tp", "8", "--dp", "8", "--gbs", "64", "--seq-parallel", "--recompute", "selective", "--zero", "1")
check(ok.returncode == 0, f"step exits 0 when feasible: {ok.stderr.strip()}")
if ok.returncode == 0:
    j = json.loads(ok.stdout)
    for key in ("feasible", "reason", "step_time_s", "tokens_per_s", "mfu", "hfu", "memory_GiB_per_chip", "breakdown"):
        check(key in j, f"step --json key {key}")
    check(math.isclose(sum(j["breakdown"].values()), j["step_time_s"], rel_tol=1e-9), "breakdown adds up to the step time")
    check(0 < j["mfu"] <= j["hfu"] < 1, "0 < MFU <= HFU < 1")
    check(j.get("profile") == "trn2-nxd", f"step --json names the chip's compute profile ({j.get('profile')})")
other = step("--tp", "8", "--dp", "8", "--gbs", "64", "--zero", "1", "--profile", str(root / "topologies/compute/trn1-nxd.toml"))
check(other.returncode == 0 and json.loads(other.stdout).get("profile") == "trn1-nxd", "step --json names --profile's compute profile")
bad = step("--tp", "3", "--dp", "21", "--gbs", "63")  # 63 ranks of 64
check(bad.returncode == 3 and json.loads(bad.stdout)["reason"].startswith("ranks_mismatch"), "infeasible step exits 3 with its reason")
bad = step("--tp", "64", "--gbs", "8")  # 64 does not divide 32 heads
check(bad.returncode == 3 and json.loads(bad.stdout)["reason"].startswith("tp_heads"), "tp that does not divide heads is infeasible")

# `cost`: every shipped cluster has economics; the bill of materials and the power add up.
for cluster in sorted((root / "topologies" / "clusters").glob("*.toml")):
    cost = run("cost", str(cluster), "--json")
    if not cost:
        continue
    for key in ("rack_lines", "cluster_lines", "rack_usd", "cluster_usd", "assumed", "peak_power"):
        check(key in cost, f"cost {cluster.stem}: key {key}")
    for line in cost["rack_lines"] + cost["cluster_lines"]:
        check(math.isclose(line["total_usd"], line["count"] * line["unit_usd"], rel_tol=1e-12), f"cost {cluster.stem}: {line['item']} = count x unit")
        check(bool(line["provenance"]), f"cost {cluster.stem}: {line['item']} names its provenance")
    check(math.isclose(cost["rack_usd"], sum(l["total_usd"] for l in cost["rack_lines"]), rel_tol=1e-12), f"cost {cluster.stem}: rack sum")
    check(math.isclose(cost["cluster_usd"], cost["racks"] * cost["rack_usd"] + sum(l["total_usd"] for l in cost["cluster_lines"]),
                       rel_tol=1e-12), f"cost {cluster.stem}: cluster sum")
    p = cost["peak_power"]
    parts = p["chips_W"] + p["hosts_W"] + p["switches_W"] + p["nics_W"] + p["optics_W"] + p["other_W"]
    check(math.isclose(p["it_W"], parts, rel_tol=1e-12) and p["facility_W"] >= p["it_W"] > 0, f"cost {cluster.stem}: power adds up")

# `racks` scales a cluster over its scale-out fabric.
scaled = run("topo", str(root / "topologies/clusters/trn2-48xl.toml"), "--set", "racks=32", "--json")
check(scaled is not None and scaled["chips"] == 32 * 16, "--set racks=32 gives 512 chips")
finish()
