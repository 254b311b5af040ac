"""Tells each input's kind from its content (HDF5 signature and groups, JSON keys, DOT header)
and loads it. Anything else is a ReportError naming the file and what was expected."""
import os
import stat
import json
from pathlib import Path

from .plot import ReportError

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
KINDS = "a sweep HDF5 file, the --json of step, collective, size or compare, a topo --dot file, or a validation --json dump"


def _json_kind(data):
    if isinstance(data, list):
        if data and all(isinstance(c, dict) and "configuration" in c for c in data):
            return "compare"
        return None
    if not isinstance(data, dict):
        return None
    if data.get("kind") == "rackscope-validation" and isinstance(data.get("rows"), list):
        return "validation"
    if {"options", "closest", "deadline_days"} <= data.keys():
        return "size"
    if {"rows", "op", "cluster", "ranks"} <= data.keys():
        return "collective"
    if {"breakdown", "step_time_s", "feasible", "memory_GiB_per_rank"} <= data.keys():
        return "step"
    return None


# Keys each item of a JSON kind must carry (what the plots read), checked before drawing so a
# hand-edited or truncated file is bad input (exit 2), not a crash.
ITEM_KEYS = {
    "collective": ("rows", ("bytes", "busbw_GBps", "algbw_GBps", "time_us", "algorithm", "protocol")),
    "size": ("options", ("rack", "racks", "chips", "time_to_train_days", "tco_usd", "goodput", "parallelism")),
    "validation": ("rows", ("source", "label", "unit", "measured", "predicted")),
}


def _check_items(path, kind, data):
    if kind == "size":
        items = data.get("options", []) + data.get("closest", [])
        need = ITEM_KEYS["size"][1]
    elif kind in ITEM_KEYS:
        items, need = data[ITEM_KEYS[kind][0]], ITEM_KEYS[kind][1]
    elif kind == "step":
        items, need = ([data] if data.get("feasible") else []), ("breakdown", "memory_GiB_per_chip", "model", "cluster")
    else:
        return
    for i, item in enumerate(items):
        missing = [k for k in need if not isinstance(item, dict) or k not in item]
        if missing:
            raise ReportError(f"{path}: {kind} item {i}: missing {', '.join(missing)} (valid: every item has {', '.join(need)})")


def _hdf5(path):
    import h5py
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ReportError(f"{path}: not a readable HDF5 file ({e})")
    missing = [k for k in ("results", "space", "infeasible", "meta") if k not in f]
    if missing:
        f.close()
        raise ReportError(f"{path}: an HDF5 file but not a rackscope sweep result (no /{', /'.join(missing)})")
    return f


# Text inputs (JSON, DOT) past this are a mistake; sweep HDF5 files are read in place, not whole.
MAX_TEXT_BYTES = 1 << 30


def _check_regular(path):
    """A FIFO would block and /dev/zero never end: regular files only, as rackscope's own readers."""
    try:
        st = os.stat(path)
    except OSError as e:
        raise ReportError(f"{path}: cannot read ({e.strerror}) (valid: {KINDS})")
    if not stat.S_ISREG(st.st_mode):
        what = "a folder" if stat.S_ISDIR(st.st_mode) else "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else "a socket"
        raise ReportError(f"{path}: is {what}, not a regular file (valid: {KINDS})")


def load(path):
    """Returns (kind, content). content: an open h5py.File for sweeps, parsed JSON, or DOT text."""
    path = Path(path)
    _check_regular(path)
    try:
        head = path.open("rb").read(8)
    except OSError as e:
        raise ReportError(f"{path}: cannot read ({e.strerror})")
    if head == HDF5_SIGNATURE:
        return "sweep", _hdf5(path)
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise ReportError(f"{path}: over {MAX_TEXT_BYTES >> 30} GiB, too large for a JSON or DOT result (valid: {KINDS})")
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise ReportError(f"{path}: not a rackscope result (valid: {KINDS})")
    stripped = text.lstrip()
    if stripped.startswith("graph ") or stripped.startswith("digraph "):
        return "fabric", text
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise ReportError(f"{path}:{e.lineno}: not JSON, HDF5 or DOT: {e.msg} (valid: {KINDS})")
    kind = _json_kind(data)
    if kind is None:
        keys = ", ".join(sorted(data)[:8]) if isinstance(data, dict) else type(data).__name__
        raise ReportError(f"{path}: JSON of an unknown kind (keys: {keys}) (valid: {KINDS})")
    _check_items(path, kind, data)
    return kind, data
