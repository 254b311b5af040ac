"""What the validation scripts share: one `rackscope step --json` run, and the --json dump of the
rows they compared (what `rackscope report`'s validation chart draws)."""
import json
import subprocess
import sys


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
