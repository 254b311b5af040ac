"""What the validation scripts share: their command line, one `rackscope step --json` run, the Neuron SDK release a
Trn1 row cites, the verdict on a table of rows against its limits, and the --json dump of the rows
they compared (what `rackscope report`'s validation chart draws)."""
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path


def script_args():
    """A validation script's command line, RACKSCOPE_BINARY VALIDATION_DIR [--json FILE]: the
    binary, the validation directory, the --json dump's path (or None) and the source root."""
    here = Path(sys.argv[2])
    json_out = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--json" else None
    return sys.argv[1], here, json_out, here.parent.parent


def step_json(cmd):
    """Runs `cmd`, a `rackscope step ... --json` command line. Exit 0, or 3 for an infeasible
    configuration, gives its JSON; any other code ends the script with rackscope's message."""
    cmd = [str(a) for a in cmd]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode not in (0, 3):
        sys.exit(f"rackscope failed ({r.returncode}): {' '.join(cmd)}\n{r.stderr}")
    return json.loads(r.stdout)


def write_dump(path, script, quantity, limits, rows, indent=1):
    """The rows compared, each {source, label, unit, measured, predicted, enforced, group}."""
    with open(path, "w") as out:
        json.dump({"kind": "rackscope-validation", "script": script, "quantity": quantity, "limits": limits, "rows": rows},
                  out, indent=indent)


def neuron_sdk(source):
    """The Neuron SDK release a Trn1 row's citation names ("Neuron SDK 2.16.0" -> "2.16")."""
    return re.search(r"Neuron SDK (\d+\.\d+)", source).group(1)


def judge(rows, limits, unit, width=44):
    """Prints each (label, measured, modeled) row with its error, then the verdict against
    `limits` (median |error|, worst row); an infeasible row (modeled nan) is beyond every limit.
    Returns True when the table is within both."""
    print(f"{'row':<{width}} {'measured':>10} {'model':>10} {'error':>8}  unit")
    errors = []
    for label, meas, mod in rows:
        err = (mod - meas) / meas
        errors.append(abs(err) if err == err else float("inf"))
        print(f"{label:<{width}} {meas:>10.{3 if meas < 100 else 0}f} {mod:>10.{3 if meas < 100 else 0}f} {err:>+7.1%}  {unit}")
    med, worst = statistics.median(errors), max(errors)
    ok = med <= limits[0] and worst <= limits[1]
    print(f"-> {len(errors)} rows: median |error| {med:.1%}, max {worst:.1%} (limits {limits[0]:.0%} / {limits[1]:.0%}) {'PASS' if ok else 'FAIL'}")
    return ok
