#!/usr/bin/env python3
"""Sweep throughput (not part of scripts/test: timings never go in tests).

1. The shipped workloads/sweeps/cowos-vs-emib.toml at 1 and 2 ranks: configurations per second
   per rank and the 1 -> 2 rank speed-up (best of REPEAT runs each, so other load on the machine
   counts least).
2. benchmarks/bench_sweep_timed.toml: Llama-3.1-405B on 4-64 Trn2 UltraServers with layouts that
   mostly fit, so most configurations are full training-step evaluations: timed configurations
   per second per rank, at 1 and 2 ranks.
3. benchmarks/bench_sweep_1m.toml: 1,161,216 configurations (Llama-3.1-405B, 1-64 Trn2
   UltraServers, every layout) at 2 ranks.
"wall" is end to end (mpirun, MPI start, reading inputs, fabrics, checkpoints, the compressed
result file); "sweep" is the evaluation phase alone, as the progress line reports it.

Usage: bench_sweep.py RACKSCOPE_BINARY [REPEAT]   (from the source root)"""
import os
import re
import subprocess
import sys
import tempfile
import time

import h5py

binary = sys.argv[1]
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")


def run(spec, ranks, out):
    """(wall s, sweep-phase s) of one run."""
    t0 = time.perf_counter()
    p = subprocess.run(["mpirun", "-q", "-np", str(ranks), binary, "sweep", spec, "-o", out], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    phase = float(re.findall(r"in ([0-9.]+) s", p.stderr)[-1])
    return wall, phase


def best(spec, ranks, out, n):
    runs = [run(spec, ranks, out) for _ in range(n)]
    return min(r[0] for r in runs), min(r[1] for r in runs)


# Reasons given after the step was timed (the constraints checked on its results): with the
# feasible configurations, the ones evaluate() timed. (/results holds the feasible rows only.)
TIMED = {"feasible", "over_memory_budget", "over_max_cost", "over_max_power"}


def rows(out):
    """(configurations, configurations timed by evaluate())."""
    with h5py.File(out, "r") as f:
        inf = f["infeasible"][()]
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in inf["name"]]
        timed = sum(int(c) for n, c in zip(names, inf["configurations"]) if n in TIMED)
        return int(f["space"].attrs["total"]), timed


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "r.h5")
    for spec in ("workloads/sweeps/cowos-vs-emib.toml", "benchmarks/bench_sweep_timed.toml"):
        t = {ranks: best(spec, ranks, out, repeat) for ranks in (1, 2)}
        total, timed = rows(out)
        print(f"{spec}: {total:,} configurations, {timed:,} timed by evaluate() (the rest refused before timing)")
        for ranks, (wall, phase) in t.items():
            print(f"  {ranks} rank{'s' if ranks > 1 else ' '}: wall {wall:.2f} s, sweep {phase:.2f} s (best of {repeat}); per rank: "
                  f"{total / wall / ranks:,.0f} configurations/s wall, {total / phase / ranks:,.0f} sweep, "
                  f"{timed / phase / ranks:,.0f} timed configurations/s sweep")
        print(f"  speed-up 1 -> 2 ranks: {t[1][0] / t[2][0]:.2f}x wall, {t[1][1] / t[2][1]:.2f}x sweep")

    big = "benchmarks/bench_sweep_1m.toml"
    wall, phase = best(big, 2, out, max(1, repeat - 1))
    total, timed = rows(out)
    print(f"{big}: {total:,} configurations ({timed:,} timed) at 2 ranks: wall {wall:.2f} s, sweep {phase:.2f} s; "
          f"{total / wall / 2:,.0f} configurations/s per rank wall; result file {os.path.getsize(out) / 1e6:.1f} MB")
