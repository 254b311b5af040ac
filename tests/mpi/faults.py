#!/usr/bin/env python3
"""MPI faults end cleanly: a full disk, a read-only folder and a killed rank each end every rank
within seconds with one line on stderr, never a hang or a crash; the inputs and any earlier
checkpoint stay intact and no results file is left.

  - a disk too small from the start (a 1 MiB tmpfs: mount -t tmpfs -o size=1M), at 1 and 2 ranks:
    refused up front with the room the sweep needs;
  - a disk filling mid-run (32 MiB tmpfs, filled once the checkpoint exists), at 1 and 2 ranks:
    the failed write is agreed by every rank (no rank waits in a collective call), one line;
  - disk full on resume: a checkpoint of 1 interval, the file system then filled, --resume is
    refused with one line and leaves that checkpoint as it was (same `done`, still resumable);
  - read-only folder: the tmpfs remounted read-only under a checkpoint: --resume and a fresh run
    both refused in one line, the checkpoint unchanged;
  - up-front limits: a sweep of 10^12 configurations is refused at once, naming the disk and
    time it would need; a sweep over RACKSCOPE_SWEEP_TIME_LIMIT is refused with both;
  - a killed rank under `mpirun -q` (which hides Open MPI's own notice): rank 1 gets SIGKILL; the
    job ends within seconds with rackscope's one line naming the checkpoint to resume from.
Mounting needs root (CAP_SYS_ADMIN): without it the tmpfs cases are skipped, saying so.

Usage: faults.py RACKSCOPE_BINARY SOURCE_DIR"""
import errno
import hashlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import h5py

from common import MPI_ENV, Checks, mpirun

binary, root = sys.argv[1], sys.argv[2]
spec = os.path.join(root, "tests", "mpi", "sweeps", "long.toml")
c = Checks()
VALID = "(valid: a path for -o on a file system with room for the results and write permission)"


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def inputs_digest():
    """The spec and every file it names, hashed: a failure must not touch them."""
    files = [spec] + [os.path.normpath(os.path.join(os.path.dirname(spec), m))
                      for m in re.findall(r'"(\.\./[^"]+\.toml)"', open(spec).read())]
    return {f: digest(f) for f in files}


def done_of(path):
    try:
        with h5py.File(path, "r") as f:
            return int(f["done"][()])
    except Exception:
        return None


def mount_tmpfs(where, size):
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", where], capture_output=True).returncode == 0


def umount(where):
    subprocess.run(["umount", "-l", where], capture_output=True)


def fill(where):
    """Writes a filler file until the file system is full. The sweep may have filled it already (it
    reserves room as it goes), so even creating the filler can fail with ENOSPC: that is full too."""
    try:
        with open(os.path.join(where, "filler"), "wb") as f:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
    except OSError as e:
        if e.errno != errno.ENOSPC:
            raise


def unfill(where):
    """Removes the filler, if `fill` could create one."""
    try:
        os.remove(os.path.join(where, "filler"))
    except FileNotFoundError:
        pass


def stderr_within(proc, seconds, note):
    """The process group's stderr once it ends; killed after `seconds`, with `note` added (a hang)."""
    try:
        return proc.communicate(timeout=seconds)[1]
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        return proc.communicate()[1] + "\n" + note


def one_line(p, name, pattern, code=2):
    lines = p.stderr.splitlines()
    ok = p.returncode == code and len(lines) == 1 and re.fullmatch(pattern, lines[0]) is not None
    return c.check(ok, f"{name}: exit {code} and one line", f"exit {p.returncode}; stderr {p.stderr[-1500:]!r}; pattern {pattern!r}")


before = inputs_digest()
with tempfile.TemporaryDirectory() as tmp:
    # Up-front limits: nothing is created, and the answer comes at once.
    trillion = os.path.join(root, "tests", "mpi", "sweeps", "trillion.toml")
    for ranks in (1, 2):
        out = os.path.join(tmp, "trillion.h5")
        t = time.time()
        p = mpirun(ranks, binary, ["sweep", trillion, "-o", out, "--quiet"], timeout=60)
        one_line(p, f"10^12 configurations at {ranks} ranks", re.escape(trillion + ": 1000000000000 configurations: the sweep needs ") + r"[0-9.]+ TB" + re.escape(" on disk (")
                 + r"[0-9.]+ TB" + re.escape(" checkpoint and ") + r"[0-9.]+ TB" + re.escape(" results; at least ") + r"[0-9.]+ days" + re.escape(f" on {ranks} ranks), ") + r"[0-9.]+ [kMGT]?B free there "
                 + re.escape('(valid: fewer configurations, a file system with room for -o, or RACKSCOPE_SWEEP_TIME_LIMIT="<time>")'))
        c.check(time.time() - t < 20 and not os.listdir(tmp), f"10^12 configurations at {ranks} ranks: refused within 20 s, no file written")
    p = mpirun(2, binary, ["sweep", spec, "-o", os.path.join(tmp, "slow.h5"), "--quiet"], env_extra={"RACKSCOPE_SWEEP_TIME_LIMIT": "0.1 s"}, timeout=60)
    one_line(p, "over the time limit", re.escape(spec + ": 46656 configurations: the sweep would take at least ") + r"[0-9.]+ ms"
             + re.escape(" on 2 ranks (") + r"[0-9.]+ MB" + re.escape(" on disk), over the limit of 100 ms (valid: ") + r".*\)")

    disk = os.path.join(tmp, "disk")
    os.mkdir(disk)
    UPFRONT = re.escape(spec + ": 46656 configurations: the sweep needs ") + r"[0-9.]+ MB on disk \([0-9.]+ MB checkpoint and [0-9.]+ MB results; at least .*"
    WRITE = r".* failed.* \(.* free on its file system\) " + re.escape(VALID)
    if not mount_tmpfs(disk, "1M"):
        print("SKIP disk full, read-only: cannot mount a tmpfs here (needs root)")
    else:
        try:
            # A disk too small from the start: refused before anything is written, at 1 and 2 ranks.
            for ranks in (1, 2):
                out = os.path.join(disk, "out.h5")
                p = mpirun(ranks, binary, ["sweep", spec, "-o", out, "--quiet"], timeout=60)
                one_line(p, f"disk too small at {ranks} ranks", UPFRONT + r"1\.05 MB free there .*")
                c.check(not os.listdir(disk), f"disk too small at {ranks} ranks: no file written", str(os.listdir(disk)))
        finally:
            umount(disk)
    if mount_tmpfs(disk, "32M"):
        try:
            # The disk fills while the sweep runs (another job's files): every rank ends with one line.
            for ranks in (1, 2):
                out = os.path.join(disk, "out.h5")
                env = dict(os.environ, **MPI_ENV)
                proc = subprocess.Popen(["mpirun", "-q", "-np", str(ranks), binary, "sweep", spec, "-o", out, "--quiet"], env=env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
                deadline = time.time() + 60
                while not os.path.exists(out + ".partial") and time.time() < deadline and proc.poll() is None:
                    time.sleep(0.05)
                fill(disk)
                t = time.time()
                err = stderr_within(proc, 60, "[timed out: a hang]")
                p = subprocess.CompletedProcess([], proc.returncode, "", err)
                # The checkpoint now writes a byte per refused configuration, so a fast run may have
                # written its last interval before the disk filled: then the result file's write fails.
                one_line(p, f"disk filling mid-run at {ranks} ranks",
                         re.escape(out) + r"\.(partial: cannot write the checkpoint|tmp: cannot write the results file): " + WRITE)
                c.check(time.time() - t < 30, f"disk filling mid-run at {ranks} ranks: ended within 30 s", f"{time.time() - t:.1f} s")
                left = sorted(f for f in os.listdir(disk) if f != "filler")
                c.check(not left, f"disk filling mid-run at {ranks} ranks: no results, checkpoint or temporary file left", str(left))
                unfill(disk)
            # An earlier checkpoint (1 interval), then a full disk: the resume is refused, the checkpoint stays.
            out = os.path.join(disk, "out.h5")
            p = mpirun(2, binary, ["sweep", spec, "-o", out, "--quiet"], env_extra={"RACKSCOPE_SWEEP_KILL_AFTER_INTERVALS": "1"}, timeout=120)
            done = done_of(out + ".partial")
            c.check(done is not None and done > 0, "a checkpoint of one interval on the small disk", f"done {done}; {p.stderr[-500:]!r}")
            kept = digest(out + ".partial") if done else None
            fill(disk)
            for ranks in (1, 2):
                p = mpirun(ranks, binary, ["sweep", spec, "-o", out, "--resume", "--quiet"], timeout=60)
                one_line(p, f"resume on a full disk at {ranks} ranks", re.escape(spec + ": 46656 configurations: the sweep needs ") + r"[0-9.]+ MB"
                         + re.escape(" on disk (its results beside the existing checkpoint; at least ") + r".* 0 B free there .*")
                c.check(done_of(out + ".partial") == done, f"resume on a full disk at {ranks} ranks: the checkpoint is kept, as it was")
                c.check(not os.path.exists(out) and not os.path.exists(out + ".tmp"), f"resume on a full disk at {ranks} ranks: no results file")
            # Read-only: the same checkpoint under a read-only mount.
            unfill(disk)
            subprocess.run(["mount", "-o", "remount,ro", disk], check=True)
            p = mpirun(2, binary, ["sweep", spec, "-o", out, "--resume", "--quiet"], timeout=60)
            one_line(p, "resume in a read-only folder", re.escape(f"-o: {out}: folder '{disk}' is not writable (valid: ") + r".*\)")
            p = mpirun(2, binary, ["sweep", spec, "-o", os.path.join(disk, "fresh.h5"), "--quiet"], timeout=60)
            one_line(p, "a fresh run in a read-only folder",
                     re.escape(f"-o: {os.path.join(disk, 'fresh.h5')}: folder '{disk}' is not writable (valid: ") + r".*\)")
            c.check(kept is not None and digest(out + ".partial") == kept and not os.path.exists(out), "read-only folder: the checkpoint unchanged, no results file")
            # Back to writable: the kept checkpoint still finishes the sweep.
            subprocess.run(["mount", "-o", "remount,rw", disk], check=True)
            p = mpirun(2, binary, ["sweep", spec, "-o", out, "--resume", "--quiet"], timeout=300)
            c.check(p.returncode == 0 and os.path.exists(out), "the kept checkpoint resumes to the end once there is room", p.stderr[-500:])
        finally:
            umount(disk)

    # A killed rank under mpirun -q.
    out = os.path.join(tmp, "killed.h5")
    # The sweep takes under a second: held after its first checkpoint so the kill lands mid-run.
    env = dict(os.environ, **MPI_ENV, RACKSCOPE_SWEEP_PAUSE_AFTER_INTERVALS="1")
    cmd = ["mpirun", "-q", "-np", "2", binary, "sweep", spec, "-o", out, "--quiet"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)

    def rank_pid(rank):
        """The pid of rank `rank` of this run (Open MPI sets OMPI_COMM_WORLD_RANK in its environment)."""
        for pid in os.listdir("/proc"):
            try:
                if out.encode() not in open(f"/proc/{pid}/cmdline", "rb").read() or b"mpirun" in open(f"/proc/{pid}/cmdline", "rb").read():
                    continue
                if f"OMPI_COMM_WORLD_RANK={rank}".encode() in open(f"/proc/{pid}/environ", "rb").read().split(b"\0"):
                    return int(pid)
            except OSError:
                continue
        return None

    victim = None
    deadline = time.time() + 60
    while time.time() < deadline and victim is None:  # the first checkpoint written, rank 1 found
        if done_of(out + ".partial"):
            victim = rank_pid(1)
        time.sleep(0.2)
    if not c.check(victim is not None, "killed rank: the run started and checkpointed"):
        os.killpg(proc.pid, signal.SIGKILL)
    else:
        os.kill(victim, signal.SIGKILL)
        t = time.time()
        err = stderr_within(proc, 30, "[still running 30 s after the kill]")
        p = subprocess.CompletedProcess(cmd, proc.returncode, "", err)
        pattern = re.escape("rackscope: stopped by SIGTERM: a rank died or the job was stopped; " + out +
                            ".partial keeps every finished checkpoint interval: rerun with --resume")
        lines = err.splitlines()
        c.check(p.returncode != 0 and len(lines) == 1 and re.fullmatch(pattern, lines[0]) is not None,
                "killed rank under -q: one line naming the checkpoint", f"exit {p.returncode}; stderr {err[-1500:]!r}")
        c.check(time.time() - t < 15, "killed rank: every rank ended within 15 s", f"{time.time() - t:.1f} s")
        c.check(done_of(out + ".partial") and not os.path.exists(out), "killed rank: the checkpoint kept, no results file")
c.check(inputs_digest() == before, "the spec and its inputs unchanged by every failure")
c.finish()
