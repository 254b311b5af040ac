#!/usr/bin/env python3
"""Sweep throughput (not part of scripts/test: timings never go in tests).

Runs the shipped workloads/sweeps/cowos-vs-emib.toml at 1 and 2 ranks (best wall time of
REPEAT runs each, so other load on the machine counts least) and reports configurations per
second per rank and the 1 -> 2 rank speed-up; then the 1,161,216-configuration
benchmarks/bench_sweep_1m.toml (Llama-3.1-405B on 1-64 Trn2 UltraServers) at 2 ranks. Wall
times are end to end: mpirun start, reading inputs, every fabric, the checkpoints and the
compressed result file.

Usage: bench_sweep.py RACKSCOPE_BINARY [REPEAT]   (from the source root)"""
import os
import subprocess
import sys
import tempfile
import time

import h5py
import numpy as np

binary = sys.argv[1]
repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")


def run(spec, ranks, out):
    t0 = time.perf_counter()
    subprocess.run(["mpirun", "-q", "-np", str(ranks), binary, "sweep", spec, "-o", out, "--quiet"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def rows(out):
    with h5py.File(out, "r") as f:
        r = f["results"][()]
        return len(r), int(np.count_nonzero(~np.isnan(r["step_time_s"])))


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "r.h5")
    shipped = "workloads/sweeps/cowos-vs-emib.toml"
    best = {}
    for ranks in (1, 2):
        best[ranks] = min(run(shipped, ranks, out) for _ in range(repeat))
    total, timed = rows(out)
    print(f"{shipped}: {total} configurations ({timed} timed by evaluate(), the rest refused before timing)")
    for ranks in (1, 2):
        print(f"  {ranks} rank{'s' if ranks > 1 else ''}: {best[ranks]:.2f} s wall (best of {repeat}), "
              f"{total / best[ranks] / ranks:,.0f} configurations/s per rank")
    print(f"  speed-up 1 -> 2 ranks: {best[1] / best[2]:.2f}x")

    big = "benchmarks/bench_sweep_1m.toml"
    wall = min(run(big, 2, out) for _ in range(max(1, repeat - 1)))
    total, timed = rows(out)
    print(f"{big}: {total} configurations ({timed} timed) in {wall:.2f} s wall at 2 ranks: "
          f"{total / wall / 2:,.0f} configurations/s per rank, {timed / wall / 2:,.0f} timed configurations/s per rank; "
          f"{os.path.getsize(out) / 1e6:.1f} MB file")
