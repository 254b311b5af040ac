#!/usr/bin/env python3
"""Crash safety: a sweep killed mid-run leaves no results file, only its checkpoint; `--resume`
(at another rank count) finishes it with /results and /refused bit-identical to an uninterrupted run. A resume
against another spec is refused with one line and keeps the checkpoint; the same spec spelled
differently, from another folder, resumes (inputs are named by content).

The kill comes at a known point, not a timing race: RACKSCOPE_SWEEP_KILL_AFTER_INTERVALS=N makes
every rank end itself with SIGKILL once N checkpoint intervals are written.

Usage: kill_resume.py RACKSCOPE_BINARY SOURCE_DIR"""
import os
import sys
import tempfile

import h5py

from common import Checks, mpirun

binary, root = sys.argv[1], sys.argv[2]
spec = os.path.join(root, "tests", "mpi", "sweeps", "long.toml")
other = os.path.join(root, "tests", "mpi", "sweeps", "mixed.toml")
CHECKPOINT_EVERY = 256  # long.toml's [run] checkpoint_every; its clusters are larger, so intervals are this size
KILL_AFTER = 9  # 2,304 configurations: the first feasible one is index 2,024
c = Checks()


def checkpoint_done(path):
    """Configurations the checkpoint records as done, and the total, or None if it cannot be read."""
    try:
        with h5py.File(path, "r") as f:
            return int(f["done"][()]), int(f.attrs["total"])
    except Exception:
        return None


with tempfile.TemporaryDirectory() as tmp:
    ref = os.path.join(tmp, "reference.h5")
    p = mpirun(2, binary, ["sweep", spec, "-o", ref, "--quiet"])
    c.check(p.returncode == 0, "uninterrupted run", p.stderr[-2000:])

    out = os.path.join(tmp, "killed.h5")
    p = mpirun(2, binary, ["sweep", spec, "-o", out, "--quiet"], env_extra={"RACKSCOPE_SWEEP_KILL_AFTER_INTERVALS": str(KILL_AFTER)})
    c.check(p.returncode != 0, "the run ends as killed", f"exit {p.returncode}")
    c.check(not os.path.exists(out) and not os.path.exists(out + ".tmp"), "a killed run leaves no results file")
    state = checkpoint_done(out + ".partial")
    c.check(state is not None and state[0] == KILL_AFTER * CHECKPOINT_EVERY and state[0] < state[1] // 2,
            f"the checkpoint survives the kill and records the {KILL_AFTER} intervals written", str(state))
    try:
        with h5py.File(out + ".partial", "r") as f:
            layout = (f["results"].chunks, f["results"].compression, len(f["results"]))
    except Exception as e:
        layout = str(e)
    c.check(state is not None and layout == (None, None, state[1]),
            "the checkpoint's /results is contiguous and uncompressed, one row per configuration (raw writes only)", str(layout))
    # What the checkpoint holds of the done prefix: every configuration's reason code in /reasons,
    # and at a feasible one's index its whole row (refused rows are never written), as the
    # uninterrupted run's /results and /refused have them.
    try:
        done = state[0]
        with h5py.File(out + ".partial", "r") as f, h5py.File(ref, "r") as b:
            codes = f["reasons"][:done]
            refused = {int(i): int(r) for i, r in zip(b["refused"]["index"], b["refused"]["reason"]) if i < done}
            rows = {int(r["index"]): r.tobytes() for r in b["results"][()] if r["index"] < done}
            kept = f["results"][()]
            same_reasons = {i: int(x) for i, x in enumerate(codes) if x != 0} == refused
            same_rows = sorted(rows) == [i for i, x in enumerate(codes) if x == 0] and all(kept[i].tobytes() == row for i, row in rows.items())
        detail = f"{len(refused)} refused, {len(rows)} feasible of {done}"
    except Exception as e:
        same_reasons = same_rows = False
        detail = str(e)
    c.check(same_reasons and same_rows and rows and refused,
            "the checkpoint's done prefix: /reasons as the uninterrupted run's reasons, /results the feasible rows at their index", detail)
    if state is not None:
        p = mpirun(2, binary, ["sweep", other, "-o", out, "--resume", "--quiet"])
        lines = p.stderr.strip().splitlines()
        c.check(p.returncode == 2 and len(lines) == 1 and "different sweep spec or different inputs" in p.stderr,
                "resuming with another spec: exit 2, one line", p.stderr[-2000:])
        c.check(os.path.exists(out + ".partial") and not os.path.exists(out), "the refused resume keeps the checkpoint")

        # From another folder, the spec spelled ./long.toml: the same inputs by content, so it resumes.
        p = mpirun(3, binary, ["sweep", "./" + os.path.basename(spec), "-o", out, "--resume", "--quiet"], cwd=os.path.dirname(spec), timeout=120)
        c.check(p.returncode == 0 and os.path.exists(out), "--resume at 3 ranks, from another folder as ./long.toml, finishes the run",
                p.stderr[-2000:])
        c.check(not os.path.exists(out + ".partial"), "the checkpoint is removed once the results file is complete")
        if os.path.exists(out) and os.path.exists(ref):
            with h5py.File(out, "r") as a, h5py.File(ref, "r") as b:
                c.check(a["results"][()].tobytes() == b["results"][()].tobytes(), "resumed /results is bit-identical to the uninterrupted run")
                c.check(a["refused"][()].tobytes() == b["refused"][()].tobytes(), "resumed /refused is bit-identical to the uninterrupted run")
                c.check(a["pareto"][()].tobytes() == b["pareto"][()].tobytes(), "resumed /pareto equals the uninterrupted run's")
                c.check(int(a["meta"].attrs["resumes"]) == 1, "/meta counts the resume")

# Cadence by time as well as count: with checkpoint_every above the whole sweep (as the shipped
# sweep's 207,360 configurations are below the default 262,144), a checkpoint is still written
# (the first interval is short, the next ones last about checkpoint_seconds), so a kill loses little.
with tempfile.TemporaryDirectory() as tmp:
    with open(spec, encoding="utf-8") as f:
        text = f.read().replace('"../../../', '"' + os.path.abspath(root) + "/")
    text = text.replace("checkpoint_every = 256", "checkpoint_every = 100000000\ncheckpoint_seconds = 1")
    timed = os.path.join(tmp, "timed.toml")
    with open(timed, "w", encoding="utf-8") as f:
        f.write(text)
    out = os.path.join(tmp, "timed.h5")
    p = mpirun(2, binary, ["sweep", timed, "-o", out, "--quiet"], env_extra={"RACKSCOPE_SWEEP_KILL_AFTER_INTERVALS": "1"})
    state = checkpoint_done(out + ".partial")
    c.check(p.returncode != 0 and state is not None and 0 < state[0] < state[1],
            "checkpoint_every above the sweep's size: a kill still leaves a checkpoint with work done", str(state))
c.finish()
