#!/usr/bin/env python3
"""Checks `rackscope chip` on the shipped die-built chips: the side-by-side table, the
`--json` shape, `--check` (clean on shipped chips, exit 3 with one line per problem on an
infeasible package) and that the Trn3 EMIB racks and clusters load.
Usage: check_chips.py RACKSCOPE_BINARY SOURCE_ROOT"""
import json
import subprocess
import sys

from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from checker import check, finish  # noqa: E402  (the shared counter beside this file)

rackscope, root = sys.argv[1], Path(sys.argv[2])


def run(*args):
    return subprocess.run([rackscope, *args], capture_output=True, text=True, timeout=120)


chips = [str(root / "topologies" / "chips" / f"{n}.toml") for n in ("trn2", "trn3", "trn3-emib", "trn4-cowos", "trn4-emib")]
r = run("chip", *chips, "--json")
check(r.returncode == 0, f"chip --json exited {r.returncode}: {r.stderr.strip()}")
sheets = json.loads(r.stdout) if r.returncode == 0 else []
check(len(sheets) == len(chips), "one object per chip")
KEYS = ("name", "packaging", "fits", "problems", "bf16_tflops", "fp8_tflops", "hbm_GiB", "hbm_TBps", "d2d_GBps", "power_W",
        "unit_cost_usd", "supply_per_quarter")
for s in sheets:
    for k in KEYS:
        check(k in s, f"{s.get('name')}: key {k}")
    check(s["fits"] is True and s["problems"] == [], f"{s['name']}: shipped chip fits")
    check(s["d2d_GBps"] > 0 and s["power_W"] > 0 and s["unit_cost_usd"] > 0, f"{s['name']}: positive derived figures")
    band = s["supply_per_quarter"]
    check(0 < band["low"] <= band["base"] <= band["high"], f"{s['name']}: ordered supply band")
by = {s["name"]: s for s in sheets}
if "trn3" in by and "trn3-emib" in by:
    a, b = by["trn3"], by["trn3-emib"]
    check(a["packaging"] == "CoWoS-L" and b["packaging"] == "EMIB-T", "trn3 on CoWoS-L, trn3-emib on EMIB-T")
    check(a["bf16_tflops"] == b["bf16_tflops"] and a["hbm_GiB"] == b["hbm_GiB"], "same dies and HBM")
    check(b["d2d_GBps"] < a["d2d_GBps"], "EMIB-T's 45 um bumps give the same edge less bandwidth")

table = run("chip", chips[1], chips[2])
check(table.returncode == 0, "chip trn3 trn3-emib prints")
lines = table.stdout.splitlines()
check(any(l.startswith("* packaging") and "CoWoS-L" in l and "EMIB-T" in l for l in lines), "differing rows are marked")
check(any(l.startswith("  BF16 TFLOP/s") for l in lines), "equal rows are not marked")

stated = run("chip", str(root / "topologies" / "chips" / "trn1.toml"), chips[0])
check(any(l.split()[:3] == ["*", "BF16", "TFLOP/s"] and "190.0" in l for l in stated.stdout.splitlines()),
      "a chip stating its totals shows them beside a die-built one")

clean = run("chip", "--check", *chips)
check(clean.returncode == 0 and clean.stdout.startswith("no problems"), f"--check on shipped chips: {clean.stdout.strip()}")
bad = root / "tests" / "inputs" / "bogus" / "60-hbm-over-package-sites" / "chip.toml"
r = run("chip", "--check", str(bad))
check(r.returncode == 3, f"--check on an infeasible package exits 3, got {r.returncode}")
check(r.stdout.strip().endswith("hbm[0].stacks: 12 HBM stacks, but CoWoS-S holds at most 8 in 2025 (valid: at most 8 HBM sites)"),
      f"--check names the problem: {r.stdout.strip()}")
r = run("chip", "--json", str(bad))
if r.returncode == 0:
    s = json.loads(r.stdout)[0]
    check(s["fits"] is False and len(s["problems"]) == 1, "an infeasible chip is printed with its problem")
else:
    check(False, "chip --json on an infeasible chip still prints")

# A cluster of such chips cannot be built: `topo` and `collective` answer infeasible (exit 3) as
# `step` does (bogus case 60), naming the problem.
for cmd in (["topo"], ["collective", "--op", "allreduce", "-e", "1M"]):
    r = run(*cmd, str(bad.parent / "cluster.toml"))
    check(r.returncode == 3 and r.stdout.startswith("infeasible: package_unfit: ") and "hbm[0].stacks" in r.stdout,
          f"{cmd[0]} on a chip that does not fit exits 3 naming it, got {r.returncode}: {r.stdout.strip()} {r.stderr.strip()}")

for name in ("trn3-ultraserver-gen1-emib", "trn3-ultraserver-gen2-emib"):
    r = run("topo", str(root / "topologies" / "clusters" / f"{name}.toml"), "--json")
    check(r.returncode == 0, f"{name} loads")
    if r.returncode == 0:
        tiers = {t["tier"]: t for t in json.loads(r.stdout)["tiers"]}
        check("die_to_die" in tiers, f"{name}: die-to-die links in the fabric")
finish()
