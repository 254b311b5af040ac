"""Counting checks for the python test scripts: each check passes or prints why it failed, and
`finish()` prints the closing "N passed, N failed" line and exits 1 on any failure."""
import sys

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def finish():
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
