"""Shared helpers of the MPI sweep tests: running rackscope under mpirun, counting checks."""
import os
import signal
import subprocess
import sys

# Open MPI refuses to run as root without these; more ranks than cores need oversubscription.
MPI_ENV = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
    "OMPI_MCA_rmaps_base_oversubscribe": "1",
}
# Reading the checkpoint a killed run left (tests/mpi/kill_resume.py).
os.environ.setdefault("HDF5_USE_FILE_LOCKING", "FALSE")


def mpirun(ranks, binary, args, cwd=None, env_extra=None, timeout=300, **kw):
    """Runs `mpirun -q -np ranks binary args...`; -q keeps mpirun's own notices off stderr, so a
    failing run's stderr is rackscope's one line."""
    env = dict(os.environ, **MPI_ENV, **(env_extra or {}))
    cmd = ["mpirun", "-q", "-np", str(ranks), binary, *args]
    # Its own process group, so a run that hangs past the timeout is ended with all its ranks.
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kw)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        err += f"\n[timed out after {timeout} s: a hang]"
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, name, detail=""):
        if ok:
            self.passed += 1
            print(f"PASS {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}" + (f"\n    {detail}" if detail else ""))
        sys.stdout.flush()
        return ok

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)
