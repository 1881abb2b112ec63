"""Prints "N passed, N failed, N skipped" summed over pytest's JUnit XML files (the line scripts/test.sh reads).

Usage: python3 junit_summary.py [--extra-skipped N] [--extra-failed N] FILE... ; exits 1 when anything failed.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import xml.etree.ElementTree as ElementTree


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=pathlib.Path)
    parser.add_argument("--extra-skipped", type=int, default=0)
    parser.add_argument("--extra-failed", type=int, default=0)
    args = parser.parse_args()
    passed, failed, skipped = 0, args.extra_failed, args.extra_skipped
    for path in args.files:
        if not path.is_file():
            print(f"{path}: no results (pytest did not run)")
            failed += 1
            continue
        root = ElementTree.parse(path).getroot()
        for suite in [root] if root.tag == "testsuite" else root.iter("testsuite"):
            tests = int(suite.get("tests", 0))
            bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skip = int(suite.get("skipped", 0))
            passed += tests - bad - skip
            failed += bad
            skipped += skip
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
