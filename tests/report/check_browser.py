#!/usr/bin/env python3
"""The HTML report opened in a real browser: a report made from one small file of every kind is
loaded in headless Chromium; its screenshot must have the window's size and not be blank, and the
DOM Chromium built must show every plot (a decodable inline PNG each) and every table, with no
reference outside the file (no http, file or relative URL, no script).

Usage: check_browser.py RACKSCOPE_BINARY SOURCE_ROOT"""
import base64
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "inputs"))
import samples  # noqa: E402
from checker import check, finish  # noqa: E402

binary = os.path.abspath(sys.argv[1])
WIDTH, HEIGHT = 1280, 2000
PLOTS = ["sweep-pareto", "sweep-throughput", "sweep-infeasible", "sweep-breakdown", "step-breakdown", "step-memory", "collective",
         "size", "compare", "fabric", "validation"]


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections, self.imgs, self.tables, self.refs, self.scripts = [], [], 0, [], 0
        self._section = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id"))
        elif tag == "img":
            self.imgs.append((a.get("data-name"), a.get("src", "")))
        elif tag == "table":
            self.tables += 1
        elif tag == "script":
            self.scripts += 1
        # Allowed: inline images and links to the page's own sections.
        for k in ("src", "href", "srcset", "data", "poster", "background"):
            v = a.get(k)
            if v is not None and not (v.startswith("data:image/png;base64,") if k == "src" else v.startswith("#") and k == "href"):
                self.refs.append(v)
        if tag in ("link", "iframe", "object", "embed"):
            self.refs.append(f"<{tag}>")


def chromium(*args):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        return None
    home = tempfile.mkdtemp(prefix="chromium-home-")
    env = dict(os.environ, HOME=home)
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", f"--user-data-dir={home}/profile", *args]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=180, env=env)
    finally:
        shutil.rmtree(home, ignore_errors=True)


with tempfile.TemporaryDirectory() as d:
    tmp = Path(d)
    files = [tmp / "s.h5", tmp / "step.json", tmp / "coll.json", tmp / "size.json", tmp / "cmp.json", tmp / "fab.dot", tmp / "val.json"]
    samples.sweep_h5(files[0])
    samples.step_json(files[1])
    samples.collective_json(files[2])
    samples.size_json(files[3])
    samples.compare_json(files[4])
    samples.fabric_dot(files[5])
    samples.validation_json(files[6])
    out = tmp / "report"
    p = subprocess.run([binary, "report", *map(str, files), "-o", str(out)], capture_output=True, text=True, timeout=300)
    check(p.returncode == 0, f"report of every kind exits 0 ({p.stderr.strip()[-300:]})")
    index = out / "index.html"
    check(index.exists(), "index.html written")
    for name in PLOTS:
        check((out / f"{name}.png").exists() and (out / f"{name}.svg").exists(), f"{name}: PNG and SVG written")
    if not index.exists():
        finish()

    shot = tmp / "shot.png"
    r = chromium(f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", index.as_uri())
    check(r is not None, "chromium is installed (scripts/setup)")
    if r is None:
        finish()
    check(shot.exists(), f"Chromium took a screenshot ({r.stderr.strip()[-300:]})")
    if shot.exists():
        img = mpimg.imread(shot)
        check(img.shape[:2] == (HEIGHT, WIDTH), f"screenshot is {WIDTH}x{HEIGHT} (got {img.shape[1]}x{img.shape[0]})")
        grey = img[..., :3].mean(axis=2)
        inked = float((grey < 0.9).mean())
        colours = len(np.unique((img[..., :3] * 255).astype(np.uint8).reshape(-1, 3), axis=0))
        check(inked > 0.02 and colours > 50, f"screenshot is not blank ({inked:.1%} of pixels inked, {colours} colours)")

    r = chromium("--dump-dom", index.as_uri())
    dom = Dom()
    dom.feed(r.stdout)
    check(dom.sections == PLOTS, f"the page Chromium built has a section per plot, in order ({dom.sections})")
    check([n for n, _ in dom.imgs] == PLOTS, "each section shows its plot")
    ok = True
    for name, src in dom.imgs:
        m = re.match(r"^data:image/png;base64,(.+)$", src)
        try:
            pixels = mpimg.imread(io.BytesIO(base64.b64decode(m.group(1))), format="png") if m else None
        except (ValueError, OSError):
            pixels = None
        good = pixels is not None and pixels.shape[0] > 100 and pixels.shape[1] > 100
        ok &= good
        if not good:
            print(f"  {name}: image not an inline, decodable PNG")
    check(ok, "every image is an inline PNG that decodes (no broken image)")
    html = index.read_text()
    expected_tables = html.count("<table")
    check(dom.tables == expected_tables and dom.tables >= len(PLOTS), f"every table is in the page ({dom.tables} of {expected_tables})")
    check(dom.refs == [] and dom.scripts == 0, f"no reference outside the file and no script ({dom.refs[:5]})")
    check(not re.search(r"(https?:|file:)//", html), "no network or file URL anywhere in the page")
finish()
