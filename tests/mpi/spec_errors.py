#!/usr/bin/env python3
"""Bad sweeps end every rank with one line and exit code 2, and leave no results file.

Each case is a directory tests/mpi/bad/NN-name/ with
  spec.toml  the sweep (paths relative to it)
  expected   the exact stderr line
  ranks      optional: rank counts to run at (default "1 3")
  env        optional: NAME=value lines added to the environment
  output     optional: the -o path (default: a file in a temporary directory), relative to the case
  flags      optional: more arguments (e.g. --resume, with a damaged out.h5.partial in the case)
The error may come from rank 0 (reading inputs), from every rank (the output path) or from one
other rank mid-run (the injected failure): the line is the same and no rank is left waiting.
The case's own files (the spec, an -o naming it, a checkpoint) are left exactly as they were.

Usage: spec_errors.py RACKSCOPE_BINARY SOURCE_DIR"""
import hashlib
import os
import sys
import tempfile

from common import Checks, mpirun

binary, root = sys.argv[1], sys.argv[2]
cases = os.path.join(root, "tests", "mpi", "bad")
c = Checks()


def read(case, name, default=None):
    path = os.path.join(case, name)
    if not os.path.exists(path):
        return default
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def digest(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def snapshot(folder):
    """{file name: contents} of the case's files."""
    return {f: digest(os.path.join(folder, f)) for f in sorted(os.listdir(folder))}


for name in sorted(os.listdir(cases)):
    case = os.path.join(cases, name)
    expected = read(case, "expected")
    env = dict(line.split("=", 1) for line in (read(case, "env", "") or "").splitlines() if line.strip())
    for ranks in [int(r) for r in read(case, "ranks", "1 3").split()]:
        with tempfile.TemporaryDirectory() as tmp:
            out = read(case, "output") or os.path.join(tmp, "out.h5")
            before = snapshot(case)
            outputs = [os.path.join(case, f) for f in (out, out + ".partial", out + ".tmp")]
            existing = {f: digest(f) for f in outputs if os.path.exists(f)}  # inputs named by -o, a checkpoint to resume
            flags = (read(case, "flags", "") or "").split()
            p = mpirun(ranks, binary, ["sweep", "spec.toml", "-o", out, "--quiet", *flags], cwd=case, env_extra=env, timeout=60)
            lines = p.stderr.splitlines()
            c.check(p.returncode == 2 and lines == [expected] and p.stdout == "", f"{name} at {ranks} ranks: exit 2 and the one expected line",
                    f"exit {p.returncode}; stdout {p.stdout[:200]!r}; stderr {p.stderr[:1000]!r}; expected {expected!r}")
            after = snapshot(case)
            c.check(after == before, f"{name} at {ranks} ranks: the case's files unchanged", f"{sorted(set(before.items()) ^ set(after.items()))}")
            left = [f for f in outputs if os.path.exists(f) and f not in existing]
            c.check(not left, f"{name} at {ranks} ranks: no results, checkpoint or temporary file left", str(left))
            c.check(all(digest(f) == h for f, h in existing.items()), f"{name} at {ranks} ranks: files -o names unchanged", str(existing))
c.finish()
