#!/usr/bin/env bash
# The whole test suite, as CI runs it: sets up, builds with warnings as errors and runs every
# test through ctest; then again under ASan+UBSan in a build directory of its own.
#
#   scripts/test.sh            everything
#   scripts/test.sh --quick    only the ci build (no sanitizer pass), for a fast local loop
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/setup.sh ci
ctest --preset ci -j "$jobs"

if [ "${1:-}" != "--quick" ]; then
  scripts/setup.sh asan-ubsan
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan-ubsan -j "$jobs"
fi
