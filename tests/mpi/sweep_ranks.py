#!/usr/bin/env python3
"""The same sweep at 1, 2, 3 and 4 ranks (oversubscribed on 2 cores) gives bit-identical
/results, /refused, /pareto and /infeasible datasets and the same summary on stdout, also when
every configuration is refused or none is (an empty /results or /refused).

Usage: sweep_ranks.py RACKSCOPE_BINARY SOURCE_DIR"""
import os
import sys
import tempfile

import h5py

from common import Checks, mpirun

binary, root = sys.argv[1], sys.argv[2]
c = Checks()
# mixed.toml: checkpoint intervals end on cluster boundaries; long.toml: clusters span many
# intervals, so shares are cut inside them; all_refused / none_refused: one of the two datasets empty.
DATASETS = ("results", "refused", "pareto", "infeasible")
for name in ("mixed", "long", "all_refused", "none_refused"):
    spec = os.path.join(root, "tests", "mpi", "sweeps", name + ".toml")
    with tempfile.TemporaryDirectory() as tmp:
        data, stdout = {}, {}
        for n in (1, 2, 3, 4):
            out = os.path.join(tmp, f"r{n}.h5")
            p = mpirun(n, binary, ["sweep", spec, "-o", out, "--quiet"], timeout=120)
            if not c.check(p.returncode == 0 and os.path.exists(out), f"{name} at {n} ranks: exit 0 and a results file", p.stderr[-2000:]):
                continue
            with h5py.File(out, "r") as f:
                data[n] = {d: f[d][()].tobytes() for d in DATASETS}
                c.check(int(f["meta"].attrs["ranks"]) == n, f"{name} at {n} ranks: /meta records {n} ranks")
            stdout[n] = p.stdout
        for n in (2, 3, 4):
            if 1 in data and n in data:
                for d in DATASETS:
                    c.check(data[n][d] == data[1][d], f"{name}: /{d} at {n} ranks is bit-identical to 1 rank")
                c.check(stdout[n] == stdout[1], f"{name}: summary at {n} ranks equals 1 rank's")
        if 1 in data and name in ("mixed", "long"):
            c.check(len(data[1]["results"]) > 0 and len(data[1]["refused"]) > 0 and len(data[1]["pareto"]) > 0,
                    f"{name}: feasible and refused configurations and a non-empty Pareto set")
c.finish()
