"""What every plot hands to the HTML page: its files, title, caption and the tables behind it."""
from dataclasses import dataclass, field
from pathlib import Path


class ReportError(Exception):
    """Bad input or output: reported as one line, exit code 2."""


@dataclass
class Table:
    caption: str
    header: list
    rows: list


@dataclass
class Plot:
    name: str
    title: str
    caption: str
    png: Path
    svg: Path
    tables: list = field(default_factory=list)


def fmt(v, digits=4):
    """A table cell: numbers to `digits` significant figures, None and NaN as a dash."""
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        if v != v:
            return "-"
        if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-3):
            return f"{v:.{digits - 1}e}"
        return f"{v:.{digits}g}" if abs(v) < 10 ** digits else f"{v:,.0f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)
