#!/usr/bin/env python3
"""Sums the checks of every meson test: a test whose output reports its own counts
(doctest "test cases: N | N passed | N failed", or a closing "N passed, N failed") contributes
those; any other test counts as one. Prints "N passed, N failed"; exits 1 on any failure."""
import json
import re
import sys

passed = failed = 0
for line in open(sys.argv[1]):
    test = json.loads(line)
    out = test.get("stdout", "") or ""
    ok = test.get("result") == "OK"
    doctest = re.findall(r"test cases:\s*(\d+)\s*\|\s*(\d+) passed\s*\|\s*(\d+) failed", out)
    plain = re.findall(r"^(\d+) passed, (\d+) failed", out, re.M)
    if doctest:
        passed += int(doctest[-1][1])
        failed += int(doctest[-1][2])
    elif plain:
        passed += int(plain[-1][0])
        failed += int(plain[-1][1])
    else:
        passed += ok
        failed += not ok
    if not ok and (doctest or plain) and not (int((doctest or plain)[-1][-1])):
        failed += 1  # the program failed for a reason its own count does not show
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
