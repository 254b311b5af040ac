#!/usr/bin/env python3
"""A build without MPI and parallel HDF5 (-Dparallel=disabled): `rackscope sweep` prints one
line saying how to get it and exits 2, with or without the real command's arguments.
Usage: check_sweep_unavailable.py RACKSCOPE_BINARY SOURCE_ROOT"""
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from checker import check, finish  # noqa: E402

rackscope, root = sys.argv[1], Path(sys.argv[2])
spec = root / "workloads" / "sweeps" / "cowos-vs-emib.toml"
for args in (["sweep", str(spec), "-o", "/nonexistent/out.h5", "--resume"], ["sweep"]):
    r = subprocess.run([rackscope, *args], capture_output=True, text=True, timeout=30)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 2, f"rackscope {' '.join(args)}: exit {r.returncode}, not 2")
    check(len(lines) == 1 and r.stdout == "", f"rackscope {' '.join(args)}: one line on stderr, nothing on stdout: {r.stderr!r} {r.stdout!r}")
    check("-Dparallel=enabled" in r.stderr and "scripts/setup" in r.stderr, f"the line says how to get the sweep: {r.stderr!r}")
# The other commands work in this build.
r = subprocess.run([rackscope, "topo", str(root / "topologies/clusters/trn2-48xl.toml")], capture_output=True, text=True, timeout=60)
check(r.returncode == 0, f"topo works without MPI: {r.stderr.strip()}")
finish()
