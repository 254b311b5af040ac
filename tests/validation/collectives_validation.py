#!/usr/bin/env python3
"""Replays published all-reduce measurements through `rackscope collective` and fails beyond
tolerance: per system, for every message of at least 1 MiB in rows of high or medium trust,
the median absolute time error must be <= 15% and every point within 30% (whole multi-node
curves: median <= 10%, points within 45%, see CURVE_LIMITS). Smaller messages and
low-trust rows are printed, not enforced, so the latency model stays visible.

Data (copied into data/, each row with its citation):
  collectives_calibration.csv  nccom-test (AWS Neuron docs) and nccl-tests (Azure) rows, and
                               multi-node ring plateaus stated by NCCL maintainers (GitHub issues),
                               multi-node figures a user stated for NCCL's own choice (low trust), and
                               whole 2- and 4-node nccl-tests curves (nccl-tests#309; EFA, TCPXO and
                               RoCE provider examples printed only)
  vtrain_a100_AR_GPU{n}.csv    VIA-Research/vTrain trace/a100/AR_GPU{n}_1M_1024M_LUT (measured)
  vtrain_v100_AR_GPU{n}.csv    VIA-Research/vTrain trace/v100/AR_GPU{n}_1M_1024M_LUT @f8dda847 (measured on
                               a DGX-1 V100: direct NVLink hybrid cube-mesh, no NVSwitch; GPUs 0..n-1)

Usage: collectives_validation.py RACKSCOPE_BINARY VALIDATION_DIR [--json FILE]
(--json also writes every point compared, for `rackscope report`'s validation chart)
"""
import csv
import json
import statistics
import subprocess
import sys
from pathlib import Path

from replay import write_dump

MEDIAN_TOL, POINT_TOL, ENFORCED_FROM = 0.15, 0.30, 1 << 20

rackscope = sys.argv[1]
here = Path(sys.argv[2])
json_out = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--json" else None
topologies = here.parent.parent / "topologies" / "clusters"

# system name in the CSV -> (cluster file, extra arguments)
SYSTEMS = {
    "trn1.32xlarge x2": ("trn1-32xl-x2.toml", ["--ranks", "64"]),
    "trn1 single instance": ("trn1-32xl-x2.toml", ["--set", "racks=1", "--ranks", "2"]),
    "trn2 single instance (inferred)": ("trn2-48xl.toml", ["--ranks", "16"]),
    "ND A100 v4 (8x A100 SXM4 80GB, NVSwitch)": ("a100-8x.toml", []),
    "ND H100 v5 (8x H100 SXM5, NVSwitch)": ("h100-8x.toml", []),
    # H200: the H100's NCCL runtime file on H200 GPUs, nothing fitted to this curve.
    "ND H200 v5 (8x H200 SXM 141GB, NVSwitch)": ("h200-8x.toml", []),
    # GB200: 4 GPUs of an NVL72 rack with NCCL forced to rings (the source's label); launch
    # overhead calibrated on this curve's < 1 MiB points, nothing else.
    "ND GB200 v6 (4x GB200 of an NVL72 rack, NVLink5)": ("gb200-nvl72.toml", ["--ranks", "4", "--algo", "ring"]),
    # A whole NVL72 rack under NCCL's own choice: tests the rack's NVLS figures (assumed, not fitted).
    "GB200 NVL72 (72 GPUs, one rack, CoreWeave)": ("gb200-nvl72.toml", []),
    # Multi-node ring plateaus stated by NCCL's maintainers (single points, see the CSV notes).
    "DGX A100 x4 (8x HDR 200 Gb/s IB each) ring": ("a100-8x.toml", ["--set", "racks=4", "--algo", "ring"]),
    "DGX H100 x4 (8x NDR 400 Gb/s IB each) ring": ("h100-8x.toml", ["--set", "racks=4", "--algo", "ring"]),
    # NCCL's own choice across nodes (NVLS tree or ring), stated by a user for a RoCE cluster.
    "H100 x2 (8x 400 Gb/s RoCE each, NCCL 2.19.3) default": ("h100-8x.toml", ["--set", "racks=2"]),
    "H100 x4 (8x 400 Gb/s RoCE each, NCCL 2.19.3) default": ("h100-8x.toml", ["--set", "racks=4"]),
    # NCCL's own choice on two InfiniBand nodes, stated by a provider (one point).
    "H100 x2 (8x NDR 400 Gb/s IB each, CoreWeave) default": ("h100-8x.toml", ["--set", "racks=2"]),
    # Whole multi-node curves under NCCL's own choice (nccl-tests#309: NCCL 2.26, 8 NICs of 400 Gb/s
    # per node); the runtime file is NCCL 2.18's, nothing fitted to these curves.
    "H100 x2 (Dell XE9680, 8x CX-7 400 Gb/s IB each, NCCL 2.26.2) default": ("h100-8x.toml", ["--set", "racks=2"]),
    "H100 x4 (HGX VMs, 8x CX-7 400 Gb/s IB each, NCCL 2.26.2) default": ("h100-8x.toml", ["--set", "racks=4"]),
    "H100 x2 (8x 400 Gb/s IB each, user gj-aion) default": ("h100-8x.toml", ["--set", "racks=2"]),
    "H100 x4 (8x 400 Gb/s IB each, user gj-aion) default": ("h100-8x.toml", ["--set", "racks=4"]),
    "H100 x2 (8x 400 Gb/s IB each, user gj-aion) ring, 24 CTAs": ("h100-8x.toml", ["--set", "racks=2", "--algo", "ring"]),
    # EFA: the provider's reference sweeps with NCCL over aws-ofi-nccl (each generation's transport
    # latency taken from its curve's 8 B - 2 KiB points, nothing else fitted).
    "AWS p5.48xlarge x2 (H100, 32x 100 Gb/s EFA each) default":
        ("h100-8x.toml", ["--set", "racks=2", "--set", "rack.nics.count=32", "--set", "rack.nics.bandwidth=100 Gbps",
                          "--set", "rack.chip.collectives=../runtimes/h100-nccl-aws-ofi.toml"]),
    "AWS p4de.24xlarge x2 (A100, 4x 100 Gb/s EFA each) default":
        ("a100-8x.toml", ["--set", "racks=2", "--set", "rack.nics.count=4", "--set", "rack.nics.bandwidth=100 Gbps",
                          "--set", "rack.chip.collectives=../runtimes/a100-nccl-aws-ofi.toml"]),
    # Other transports, printed only (low trust): the NICs as stated. TCPXO with its own runtime
    # (GCP's NCCL profile: rings and trees, Simple only, NVLS off; the transport latency calibrated
    # on this run's 8 B - 2 KiB points); RoCE with IB's transport figures.
    "GCP a3-megagpu-8g x2 (H100, 8x 200 Gb/s GPUDirect-TCPXO each) Ring/Tree Simple":
        ("h100-8x.toml", ["--set", "racks=2", "--set", "rack.nics.bandwidth=200 Gbps",
                          "--set", "rack.chip.collectives=../runtimes/h100-nccl-tcpxo.toml"]),
    "OCI BM A100 x2 (RoCEv2) default": ("a100-8x.toml", ["--set", "racks=2"]),
}
# Whole multi-node curves are held to project issue 12's target, a median within 10% from 1 MiB,
# with points within 45%: between 2 and 8 MiB NCCL moves an NVLS-tree chunk through its stages
# in finer steps than the model's whole-chunk pipeline (the model is up to 37% slow there), and
# single runs carry outliers (the VM run's 2 MiB point is slower than its 4 MiB one).
CURVE_LIMITS = (0.10, 0.45)
CURVES = {name for name in SYSTEMS if "NCCL 2.26.2" in name or "gj-aion" in name or "EFA" in name}
VTRAIN = ["--set", "rack.chip.collectives=../runtimes/a100-nccl-simple.toml"]


def model(cluster, extra, sizes):
    """Modeled time (us) and algorithm per size, from one rackscope call per distinct step."""
    out = {}
    sizes = sorted(set(sizes))
    for size in sizes:
        cmd = [rackscope, "collective", str(topologies / cluster), "--op", "allreduce", "--dtype", "fp32",
               "-b", str(size), "-e", str(size), "--json"] + extra
        rows = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)["rows"]
        out[size] = (rows[0]["time_us"], rows[0]["algorithm"] + "/" + rows[0]["protocol"])
    return out


def model_linear(cluster, extra, begin, end, step):
    cmd = [rackscope, "collective", str(topologies / cluster), "--op", "allreduce", "--dtype", "fp32",
           "-b", str(begin), "-e", str(end), "-i", str(step), "--json"] + extra
    rows = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)["rows"]
    return {int(r["bytes"]): (r["time_us"], r["algorithm"] + "/" + r["protocol"]) for r in rows}


def measured_time_us(row):
    if row["time_us"]:
        return float(row["time_us"])
    # Azure rows give in-place busbw only: t = S * 2(n-1)/n / busbw.
    n, size = int(row["ranks"]), float(row["bytes"])
    unit = 1e9 if row["busbw_unit"] == "GB/s" else float(1 << 30)
    return size * 2 * (n - 1) / n / (float(row["busbw"]) * unit) * 1e6


failures = []
summary = []
dump = []  # every point compared, for --json


def report(system, points, enforce, limits=(MEDIAN_TOL, POINT_TOL)):
    """points: list of (bytes, ranks, measured_us, modeled_us, algorithm)."""
    median_tol, point_tol = limits
    print(f"\n## {system}{'' if enforce else '  (low trust: printed, not enforced)'}")
    print(f"{'bytes':>12} {'ranks':>5} {'measured_us':>12} {'model_us':>12} {'error':>8}  algorithm")
    errors = []
    for size, ranks, meas, mod, algo in points:
        err = (mod - meas) / meas
        counted = enforce and size >= ENFORCED_FROM
        if counted:
            errors.append(abs(err))
        dump.append({"source": system.split("  [")[0], "label": f"{size} B, {ranks} ranks, {algo}", "unit": "us", "measured": meas,
                     "predicted": mod, "enforced": counted})
        if len(points) <= 64 or size in (1 << 20, 4 << 20, 16 << 20, 64 << 20, 256 << 20, 1 << 30):
            print(f"{size:>12} {ranks:>5} {meas:>12.1f} {mod:>12.1f} {err:>+7.1%}  {algo}{'' if counted else '  (printed)'}")
    if not errors:
        return
    med, worst = statistics.median(errors), max(errors)
    ok = med <= median_tol and worst <= point_tol
    summary.append((system, len(errors), med, worst, ok))
    print(f"-> {len(errors)} enforced points: median |error| {med:.1%}, max {worst:.1%} "
          f"(limits {median_tol:.0%} / {point_tol:.0%}) {'PASS' if ok else 'FAIL'}")
    if not ok:
        failures.append(system)


rows = list(csv.DictReader(open(here / "data" / "collectives_calibration.csv")))
for system, (cluster, extra) in SYSTEMS.items():
    mine = [r for r in rows if r["system"] == system and r["op"] == "allreduce"]
    ranks = int(mine[0]["ranks"])
    modeled = model(cluster, extra, [int(r["bytes"]) for r in mine])
    points = [(int(r["bytes"]), ranks, measured_time_us(r), *modeled[int(r["bytes"])]) for r in mine]
    report(system + f"  [{cluster} {' '.join(extra)}]", points, all(r["trust"] in ("high", "medium") for r in mine),
           CURVE_LIMITS if system in CURVES else (MEDIAN_TOL, POINT_TOL))


def vtrain(gpu, cluster, extra):
    """vTrain's measured LUTs of one GPU type, 2-8 GPUs, 1 MiB to 1 GiB in 1 MiB steps (out-of-place time)."""
    points = []
    for n in range(2, 9):
        lut = list(csv.reader(open(here / "data" / f"vtrain_{gpu}_AR_GPU{n}.csv")))[1:]
        modeled = model_linear(cluster, extra + ["--ranks", str(n)], 1 << 20, 1 << 30, 1 << 20)
        for r in lut:
            size = int(r[0])
            points.append((size, n, float(r[3]) / 1e3, *modeled[size]))
    return points


report("vTrain A100 LUTs, 2-8 GPUs  [a100-8x.toml with runtime a100-nccl-simple]", vtrain("a100", "a100-8x.toml", VTRAIN), True)
# The V100 node has no switch: NCCL lays its rings over the cube-mesh's direct links (multi-ring);
# with 5-7 GPUs no ring of NVLinks reaches every GPU and its trees carry the data.
report("vTrain V100 LUTs, 2-8 GPUs  [dgx1-v100.toml, runtime v100-nccl]", vtrain("v100", "dgx1-v100.toml", []), True)

print("\n## Summary (sizes >= 1 MiB, high/medium trust)")
print(f"{'system':<60} {'points':>6} {'median':>8} {'max':>8}")
for system, count, med, worst, ok in summary:
    print(f"{system[:60]:<60} {count:>6} {med:>8.1%} {worst:>8.1%}  {'PASS' if ok else 'FAIL'}")
if json_out:
    write_dump(json_out, "collectives_validation.py", "all-reduce time",
               {"median": MEDIAN_TOL, "point": POINT_TOL, "enforced_from_bytes": ENFORCED_FROM}, dump, indent=None)
if failures:
    print("FAILED: " + ", ".join(failures))
    sys.exit(1)
