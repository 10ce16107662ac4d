#!/usr/bin/env bash
# Rewrites the golden outputs (tests/golden/cases/) from the current build (build/ci, made by
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
git status --short tests/golden
