#!/usr/bin/env python3
"""`rackscope size` under mpirun: the search's units are shared among ranks, and the answer
(JSON, every number) is identical on 1 and 2 ranks, and to the run without mpirun.

Usage: size_ranks.py RACKSCOPE_BINARY SOURCE_ROOT
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checks, mpirun  # noqa: E402


def main():
    binary, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    model = os.path.join(root, "workloads", "models", "llama-3.1-405b.toml")
    # Both Trn3 Gen2 configurations, two layouts each refined: every phase of the search, kept quick.
    clusters = [os.path.join(root, "topologies", "clusters", f) for f in ("trn3-ultraserver-gen2.toml", "trn3-ultraserver-gen2-emib.toml")]
    args = ["size", model, "--tokens", "15T", "--deadline", "90d", "--refine", "2", "--racks", *clusters, "--json"]
    c = Checks()
    plain = subprocess.run([binary, *args], capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    c.check(plain.returncode == 0, "size without mpirun", plain.stderr[:300])
    for ranks in (1, 2):
        p = mpirun(ranks, binary, args, timeout=600)
        c.check(p.returncode == 0, f"size on {ranks} ranks exits 0", p.stderr[:300])
        c.check(p.stdout == plain.stdout and p.stdout, f"size on {ranks} ranks prints the same answer as without mpirun")
    # An MoE model with multi-token prediction: the recompute ladder's MoE step and the balanced
    # last stage (or the even split it falls back to) travel between ranks with each unit.
    moe = [os.path.join(root, "workloads", "models", "deepseek-v3.toml"), "--tokens", "14.8T", "--deadline", "60d", "--refine", "2",
           "--racks", os.path.join(root, "topologies", "clusters", "trn2-ultraserver.toml"), "--json"]
    plain = subprocess.run([binary, "size", *moe], capture_output=True, text=True, timeout=600, stdin=subprocess.DEVNULL)
    c.check(plain.returncode == 0 and '"recompute_moe"' in plain.stdout, "MoE size without mpirun", plain.stderr[:300])
    p = mpirun(2, binary, ["size", *moe], timeout=600)
    c.check(p.returncode == 0 and p.stdout == plain.stdout, "MoE size on 2 ranks prints the same answer as without mpirun", p.stderr[:300])
    bad = mpirun(2, binary, ["size", model, "--tokens", "15T", "--deadline", "0d"], timeout=120)
    c.check(bad.returncode == 2 and bad.stderr.count("\n") == 1, "a bad argument on 2 ranks: exit 2, one line", bad.stderr[:300])
    c.finish()


if __name__ == "__main__":
    main()
