#!/usr/bin/env bash
# Rewrites the golden outputs (tests/golden/cases/, and the screenshots in tests/golden/screens/)
# from the current build (build/ci, made by
# `scripts/setup.sh ci` or scripts/test.sh), on purpose: after a change of what camwatch writes.
# Review `git diff tests/golden` and say in the commit which behaviour changed and why.
#
#   scripts/update-golden.sh [BUILD_DIR]      BUILD_DIR: default build/ci
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/ci}
for binary in "$build/daemon/camwatch" "$build/tests/tools/camwatch-testgen"; do
  [ -x "$binary" ] || { echo "update-golden: $binary is missing: run scripts/setup.sh ci" >&2; exit 2; }
done
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
tests/golden/golden.sh "$build/daemon/camwatch" "$build/tests/tools/camwatch-testgen" perl \
  "$PWD" "$fresh/cases"
rm -rf tests/golden/cases
cp -r "$fresh/cases" tests/golden/cases
# The first screens of the demo's reports (tests/golden/screens), rendered from the cases just
# written by the same test that compares them (report_screenshot_test.cc), told to keep them.
if [ -x "$build/tests/integration_test" ]; then
  CAMWATCH_UPDATE_SCREENS=1 "$build/tests/integration_test" \
    --gtest_filter='GoldenReports/ReportScreenshotTest.*' >"$fresh/screens.log" 2>&1 ||
    { cat "$fresh/screens.log" >&2; echo "update-golden: the screenshots failed" >&2; exit 1; }
else
  echo "update-golden: $build/tests/integration_test is missing: tests/golden/screens not updated" >&2
fi
git status --short tests/golden
