#!/usr/bin/env python3
"""Bad-input tests: every case must fail cleanly with one precise message.

Usage: check_bogus.py RACKSCOPE_BINARY BOGUS_DIR

Each case is a directory BOGUS_DIR/NN-name/ holding the bad input file(s) and
  cmd       one line: the arguments after `rackscope`; `{dir}` stands for the case directory
  expected  the exact stderr line; `{dir}` stands for the case directory as passed on the command line
  exit      optional, one line: the exit code when not 2 (bad input). 3 is an infeasible
            configuration: the binary's answer, so the expected line is on stdout instead
The binary must exit with that code, print exactly that one line on stderr (stdout for exit 3)
and nothing on the other, within 20 s, leaving the case's files as they were (no input harmed,
nothing written beside them). Cases of `sweep` are skipped by a build without it. Prints one line per case (PASS/FAIL, a failure's details indented below it) and a
final `N passed, M failed`; exits 1 if any case fails.
"""
import concurrent.futures
import hashlib
import os
import shlex
import signal
import subprocess
import sys
import tempfile

TIMEOUT_S = 20
# The scale-* cases are written against this fabric memory limit (the default is 80% of the
# machine's memory, which differs between machines).
os.environ["RACKSCOPE_MEMORY_LIMIT"] = "4 GiB"
MAX_READ = 1 << 20  # bytes of a case's stdout/stderr looked at


def snapshot(case_dir):
    """{file name: SHA-256} of every file in the case directory."""
    out = {}
    for root, _, files in os.walk(case_dir):
        for name in files:
            path = os.path.join(root, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, case_dir)] = hashlib.sha256(f.read()).hexdigest()
    return out


def sweep_available(binary):
    """A build without MPI and parallel HDF5 has a stand-in `sweep` (tests/inputs/check_sweep_unavailable.py)."""
    p = subprocess.run([binary, "sweep", "x", "-o", "y"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT_S)
    return "has no MPI and parallel HDF5" not in p.stderr


def run_case(binary, case_dir, workdir):
    """Returns (ok, details) for one case directory."""
    try:
        with open(os.path.join(case_dir, "cmd"), encoding="utf-8") as f:
            cmd_lines = [line for line in f.read().splitlines() if line.strip()]
        with open(os.path.join(case_dir, "expected"), encoding="utf-8") as f:
            expected_lines = f.read().splitlines()
    except OSError as e:
        return False, [f"cannot read the case: {e}"]
    if len(cmd_lines) != 1:
        return False, [f"cmd must hold exactly one line, holds {len(cmd_lines)}"]
    if len(expected_lines) != 1:
        return False, [f"expected must hold exactly one line, holds {len(expected_lines)}"]
    want_code = 2
    if os.path.exists(os.path.join(case_dir, "exit")):
        with open(os.path.join(case_dir, "exit"), encoding="utf-8") as f:
            text = f.read().strip()
        if text not in ("2", "3"):
            return False, [f"exit must hold 2 or 3, holds {text!r}"]
        want_code = int(text)
    # Split first, then substitute, so a case directory with spaces stays one argument.
    args = [tok.replace("{dir}", case_dir) for tok in shlex.split(cmd_lines[0])]
    expected = expected_lines[0].replace("{dir}", case_dir)

    before = snapshot(case_dir)
    # Output goes to files, not pipes: a case that hangs while printing rows must not fill memory.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.run([binary, *args], cwd=workdir, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                  timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return False, [f"timed out after {TIMEOUT_S} s (a hang on bad input)", f"command:  rackscope {shlex.join(args)}"]
        except OSError as e:
            return False, [f"cannot run {binary}: {e}"]
        out.seek(0)
        err.seek(0)
        stdout = out.read(MAX_READ).decode("utf-8", errors="replace")
        stderr = err.read(MAX_READ).decode("utf-8", errors="replace")

    # Infeasible (exit 3) is an answer: its line is on stdout, and stderr stays empty.
    message, other, other_name = (stdout, stderr, "stderr") if want_code == 3 else (stderr, stdout, "stdout")
    problems = []
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        problems.append(f"crashed ({name})")
    elif proc.returncode != want_code:
        problems.append(f"exit code {proc.returncode}, expected {want_code}")
    if other:
        problems.append(f"{other_name} not empty ({len(other.splitlines())} lines)")
    err_lines = message.splitlines()
    channel = "stdout" if want_code == 3 else "stderr"
    if len(err_lines) != 1 or not message.endswith("\n"):
        problems.append(f"{channel} must be exactly one line, has {len(err_lines)}"
                        + ("" if message.endswith("\n") or not message else " (no final newline)"))
    if err_lines != [expected]:
        problems.append(f"{channel} differs from expected")
    # Bad input never harms an input: every file of the case is as it was, and nothing was added.
    after = snapshot(case_dir)
    if after != before:
        changed = sorted(set(before) ^ set(after) | {k for k in before if k in after and before[k] != after[k]})
        problems.append(f"the case's files changed: {', '.join(changed)}")
    if not problems:
        return True, []
    details = ["; ".join(problems), f"command:  rackscope {shlex.join(args)}", f"expected: {expected}"]
    if not err_lines:
        details.append(f"actual:   (nothing on {channel})")
    for i, line in enumerate(err_lines[:10]):
        details.append(("actual:   " if i == 0 else "          ") + line)
    if len(err_lines) > 10:
        details.append(f"          ... {len(err_lines) - 10} more lines")
    if other:
        details.append(f"{other_name}:   " + other.splitlines()[0][:200] if other.splitlines() else f"{other_name}:   (blank)")
    return False, details


def main():
    if len(sys.argv) != 3:
        print("usage: check_bogus.py RACKSCOPE_BINARY BOGUS_DIR", file=sys.stderr)
        return 2
    binary = os.path.abspath(sys.argv[1])
    root = os.path.abspath(sys.argv[2])
    if not os.access(binary, os.X_OK):
        print(f"{binary}: not an executable", file=sys.stderr)
        return 2
    cases = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    if not cases:
        print(f"{root}: no cases", file=sys.stderr)
        return 1

    # Cases of `sweep` (cmd starting with it) need the parallel build; a serial one skips them.
    if not sweep_available(binary):
        skipped = [c for c in cases if open(os.path.join(root, c, "cmd"), encoding="utf-8").read().split()[:1] == ["sweep"]]
        for c in skipped:
            print(f"SKIP {c} (this build has no sweep)")
        cases = [c for c in cases if c not in skipped]

    # Run from an empty directory: the cases must not depend on the working directory, and any
    # stray output file lands there.
    with tempfile.TemporaryDirectory(prefix="rackscope-bogus-") as workdir:
        with concurrent.futures.ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
            futures = [pool.submit(run_case, binary, os.path.join(root, c), workdir) for c in cases]
            results = [f.result() for f in futures]

    passed = failed = 0
    for name, (ok, details) in zip(cases, results):
        if ok:
            passed += 1
            print(f"PASS {name}")
        else:
            failed += 1
            print(f"FAIL {name}: {details[0]}")
            for line in details[1:]:
                print(f"     {line}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
