#!/usr/bin/env python3
"""Reads the JUnit file of one ctest run and lists every test that did not run to the end.

ctest counts a skipped gtest (GTEST_SKIP) or a test that exits with its SKIP_RETURN_CODE as
"Not Run" and still exits 0, so a machine without root or a tool would pass quietly. This names
each such test and its reason, taken from the test's own output (gtest's "Skipped" message, or
the line our scripts print before they exit with 77).

    ctest_no_skips.py JUNIT.xml [--strict]

Exit status: 0 when every test ran (or, without --strict, when some were skipped: a developer's
local run may skip, saying so); 1 with --strict when any test was skipped or not run; 2 when the
file cannot be read.
"""
import sys
import xml.etree.ElementTree as ElementTree


def reason_of(case):
    """The most telling line of a skipped test's output."""
    output = "\n".join(element.text or "" for element in case.iter("system-out"))
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        # gtest: "path/file.cc:123: Skipped", then the reason on the next line.
        if line.endswith(": Skipped") and index + 1 < len(lines):
            return lines[index + 1]
        if line.startswith("SKIP:"):
            return line
    messages = [element.get("message") for element in case.iter("skipped") if element.get("message")]
    if lines:
        return lines[-1]
    return messages[0] if messages else "(no output: see the ctest log)"


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    path, strict = argv[1], "--strict" in argv[2:]
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError) as error:
        print(f"ctest_no_skips: {path}: {error}", file=sys.stderr)
        return 2
    cases = list(root.iter("testcase"))
    # ctest's JUnit status: run, fail, notrun (skipped, or its executable missing), disabled.
    # Failures are ctest's own business (it exits non-zero); this is about tests that did not run.
    not_run = [case for case in cases if case.get("status") in ("notrun", "disabled")]
    print(f"ctest_no_skips: {path}: {len(cases)} tests, {len(not_run)} not run")
    for case in not_run:
        print(f"  NOT RUN ({case.get('status')}): {case.get('name')}: {reason_of(case)}")
    if not_run and strict:
        print("ctest_no_skips: every test must run in CI (CI is set or --strict was given)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
