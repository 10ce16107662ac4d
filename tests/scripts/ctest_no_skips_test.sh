#!/usr/bin/env bash
# scripts/ctest_no_skips.py on JUnit files shaped like ctest's: it must pass a run where every
# test ran (one failed: ctest itself fails for that), and with --strict fail one with a skipped gtest and a tool-missing test, naming both
# and their reasons (without --strict it lists them and passes).
set -euo pipefail
checker=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/all-ran.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="Linux" tests="3" failures="1" disabled="0" skipped="0" hostname="" time="1">
  <testcase name="DecoderTest.Vlan" classname="DecoderTest.Vlan" time="0.1" status="run"><system-out>ok</system-out></testcase>
  <testcase name="DecoderTest.Qinq" classname="DecoderTest.Qinq" time="0.1" status="fail"><failure message="Failed"/><system-out>boom</system-out></testcase>
  <testcase name="golden_outputs" classname="golden_outputs" time="9" status="run"><system-out>ok</system-out></testcase>
</testsuite>
XML
cat >"$work/skipped.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<testsuite name="Linux" tests="3" failures="0" disabled="0" skipped="2" hostname="" time="1">
  <testcase name="DecoderTest.Vlan" classname="DecoderTest.Vlan" time="0.1" status="run"><system-out>ok</system-out></testcase>
  <testcase name="LiveRunTest.Json" classname="LiveRunTest.Json" time="0" status="notrun"><skipped message="Skipped"/><system-out>[ RUN      ] LiveRunTest.Json
/src/tests/integration/live_run_test.cc:236: Skipped
needs root: creates network namespaces
[  SKIPPED ] LiveRunTest.Json (0 ms)</system-out></testcase>
  <testcase name="prometheus_rules_check" classname="prometheus_rules_check" time="0" status="notrun"><skipped message="Skipped"/><system-out>SKIP: promtool not found: install the Debian package prometheus (scripts/setup.sh does)</system-out></testcase>
</testsuite>
XML

python3 "$checker" "$work/all-ran.xml" --strict >"$work/out1.txt"
grep -q "3 tests, 0 not run" "$work/out1.txt"  # a failure ran: ctest reports it itself

if python3 "$checker" "$work/skipped.xml" --strict >"$work/out2.txt" 2>&1; then
  echo "FAIL: --strict passed a run with skipped tests"; cat "$work/out2.txt"; exit 1
fi
grep -q "NOT RUN (notrun): LiveRunTest.Json: needs root: creates network namespaces" "$work/out2.txt"
grep -q "NOT RUN (notrun): prometheus_rules_check: SKIP: promtool not found" "$work/out2.txt"

python3 "$checker" "$work/skipped.xml" >"$work/out3.txt"  # a local run: listed, exit 0
grep -q "3 tests, 2 not run" "$work/out3.txt"

if python3 "$checker" "$work/missing.xml" >/dev/null 2>&1; then
  echo "FAIL: a missing JUnit file passed"; exit 1
fi
echo "ctest_no_skips_test: ok"
