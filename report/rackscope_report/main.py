"""`rackscope report INPUT... -o DIR`: reads each input, draws its plots into DIR as PNG and SVG
and writes DIR/index.html. Bad input or an unwritable folder: one line on stderr, exit 2."""
import argparse
import os
import sys
import tempfile
from pathlib import Path

from . import inputs
from .plot import ReportError

USAGE = "rackscope report INPUT... -o DIR [--budget USD]"


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2, like every rackscope command
        raise ReportError(f"rackscope report: {message} (usage: {USAGE})")


def _budget(text):
    """A positive, finite number of dollars (argparse's float would take nan, inf and -5)."""
    try:
        v = float(text)
    except ValueError:
        v = float("nan")
    if not (0 < v < 1e13):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive amount of US dollars below 1e13")
    return v


def _parser():
    p = _Parser(prog="rackscope report", usage=USAGE, description=(
        "Plots (PNG and SVG) and one self-contained index.html from rackscope results: the HDF5 file of `sweep`, the --json "
        "of `step`, `collective`, `size` and `compare`, `topo --dot` files, and the validation scripts' --json dumps. "
        "Each input's kind is told from its content."))
    p.add_argument("inputs", nargs="+", metavar="INPUT")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder (created if missing)")
    p.add_argument("--budget", type=_budget, metavar="USD", help="draw this capital budget on size plots")
    return p




def _check_not_input(output, paths):
    """-o is a folder the report writes into: not empty, not an existing file (an input, say)."""
    valid = "(valid: a folder for the plots, new or existing)"
    if not output:
        raise ReportError(f"-o: empty path {valid}")
    out = Path(output)
    if out.exists() and not out.is_dir():
        named = [p for p in paths if os.path.exists(p) and os.path.samefile(p, out)]
        what = f"is the input {named[0]}" if named else "is a file"
        raise ReportError(f"-o: {output}: {what}, not a folder {valid}")


def _check_output(out):
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".rackscope-report-"):
            pass
    except OSError as e:
        raise ReportError(f"{out}: output folder not writable ({e.strerror})")


def _render(loaded, out, budget):
    from . import collective_plots, compare_plots, fabric_plots, size_plots, step_plots, sweep_plots, validation_plots
    by_kind = {}
    for name, (kind, content) in loaded:
        by_kind.setdefault(kind, []).append((name, content))
    plots = []
    for n, (name, f) in enumerate(by_kind.get("sweep", [])):
        plots += sweep_plots.plots(f, out, "sweep" if n == 0 else f"sweep{n + 1}")
    if "step" in by_kind:
        plots += step_plots.plots(by_kind["step"], out)
    if "collective" in by_kind:
        plots += collective_plots.plots(by_kind["collective"], out)
    for n, (name, d) in enumerate(by_kind.get("size", [])):
        if budget and "budget_usd" not in d:
            d = dict(d, budget_usd=budget)
        plots += size_plots.plots(d, out, stem="size" if n == 0 else f"size{n + 1}")
    for n, (name, d) in enumerate(by_kind.get("compare", [])):
        plots += compare_plots.plots(d, out, "compare" if n == 0 else f"compare{n + 1}")
    for n, (name, text) in enumerate(by_kind.get("fabric", [])):
        plots += fabric_plots.plots(text, out, name, "fabric" if n == 0 else f"fabric{n + 1}")
    if "validation" in by_kind:
        plots += validation_plots.plots(by_kind["validation"], out)
    return plots


def run(argv):
    args = _parser().parse_args(argv)
    _check_not_input(args.output, args.inputs)
    out = Path(args.output)
    loaded = [(p, inputs.load(p)) for p in args.inputs]
    _check_output(out)
    plots = _render(loaded, out, args.budget)
    from . import html_page
    index = out / "index.html"
    html_page.write(index, plots, args.inputs, "rackscope report " + " ".join(argv))
    print(f"{index}: {len(plots)} plots ({', '.join(p.name for p in plots)}), PNG and SVG each in {out}")
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        return run(argv)
    except ReportError as e:
        print(f"{e}", file=sys.stderr)
        return 2
    except SystemExit as e:  # argparse: its usage line, exit 2
        return e.code if isinstance(e.code, int) else 2
    except OSError as e:  # a file that opened but fails to read (truncated HDF5, a folder gone)
        print(f"{e.filename or 'rackscope report'}: {e.strerror or e}", file=sys.stderr)
        return 2
    except Exception as e:  # a bug here, not bad input: one line, exit 1, as rackscope's own
        print(f"rackscope report: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
