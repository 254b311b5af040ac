#!/usr/bin/env python3
"""Crash safety: a sweep killed mid-run (SIGKILL to the mpirun process group) leaves no results
file, only its checkpoint; `--resume` (at another rank count) finishes it with /results
bit-identical to an uninterrupted run. A resume against another spec is refused with one line
and keeps the checkpoint.

Usage: kill_resume.py RACKSCOPE_BINARY SOURCE_DIR"""
import os
import signal
import subprocess
import sys
import tempfile
import time

import h5py

from common import MPI_ENV, Checks, mpirun

binary, root = sys.argv[1], sys.argv[2]
spec = os.path.join(root, "tests", "mpi", "sweeps", "long.toml")
other = os.path.join(root, "tests", "mpi", "sweeps", "mixed.toml")
c = Checks()


def checkpoint_done(path):
    """Configurations the checkpoint records as done, or None while it cannot be read."""
    try:
        with h5py.File(path, "r") as f:
            return int(f["done"][()]), int(f.attrs["total"])
    except Exception:
        return None


def killed_run(out):
    """Starts the sweep at 2 ranks, SIGKILLs its process group once the checkpoint records some
    (not most) configurations. Returns the done count at the kill, or None if it finished first."""
    env = dict(os.environ, **MPI_ENV)
    proc = subprocess.Popen(["mpirun", "-q", "-np", "2", binary, "sweep", spec, "-o", out, "--quiet"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 120
    seen = None
    while proc.poll() is None and time.time() < deadline:
        state = checkpoint_done(out + ".partial")
        if state and 0 < state[0] < state[1] // 2:
            os.killpg(proc.pid, signal.SIGKILL)
            seen = state[0]
            break
        time.sleep(0.002)
    if seen is None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return seen


with tempfile.TemporaryDirectory() as tmp:
    ref = os.path.join(tmp, "reference.h5")
    p = mpirun(2, binary, ["sweep", spec, "-o", ref, "--quiet"])
    c.check(p.returncode == 0, "uninterrupted run", p.stderr[-2000:])

    out = os.path.join(tmp, "killed.h5")
    done = None
    for attempt in range(5):  # the run is short: retry if it finished before the poll saw it mid-way
        for leftover in (out, out + ".partial"):
            if os.path.exists(leftover):
                os.remove(leftover)
        done = killed_run(out)
        if done is not None:
            break
    c.check(done is not None, "the sweep was killed mid-run", "it always finished before a checkpoint was seen")
    if done is not None:
        c.check(not os.path.exists(out) and not os.path.exists(out + ".tmp"), "a killed run leaves no results file")
        state = checkpoint_done(out + ".partial")
        c.check(state is not None and state[0] >= done, "the checkpoint survives the kill and reads back", str(state))

        p = mpirun(2, binary, ["sweep", other, "-o", out, "--resume", "--quiet"])
        lines = p.stderr.strip().splitlines()
        c.check(p.returncode == 2 and len(lines) == 1 and "different sweep spec or different inputs" in p.stderr,
                "resuming with another spec: exit 2, one line", p.stderr[-2000:])
        c.check(os.path.exists(out + ".partial") and not os.path.exists(out), "the refused resume keeps the checkpoint")

        p = mpirun(3, binary, ["sweep", spec, "-o", out, "--resume", "--quiet"], timeout=120)
        c.check(p.returncode == 0 and os.path.exists(out), "--resume at 3 ranks finishes the run", p.stderr[-2000:])
        c.check(not os.path.exists(out + ".partial"), "the checkpoint is removed once the results file is complete")
        if os.path.exists(out) and os.path.exists(ref):
            with h5py.File(out, "r") as a, h5py.File(ref, "r") as b:
                c.check(a["results"][()].tobytes() == b["results"][()].tobytes(), "resumed /results is bit-identical to the uninterrupted run")
                c.check(a["pareto"][()].tobytes() == b["pareto"][()].tobytes(), "resumed /pareto equals the uninterrupted run's")
                c.check(int(a["meta"].attrs["resumes"]) == 1, "/meta counts the resume")
c.finish()
