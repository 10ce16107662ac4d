#!/usr/bin/env bash
# The whole test suite, as CI runs it: sets up, builds with warnings as errors and runs every
# test through ctest; then again under ASan+UBSan in a build directory of its own; then the
# libFuzzer targets (clang), each for a bounded time (docs/fuzzing.md).
#
#   scripts/test.sh            everything
#   scripts/test.sh --quick    only the ci build (no sanitizer or fuzz pass), for a fast local loop
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/setup.sh ci
ctest --preset ci -j "$jobs"

if [ "${1:-}" != "--quick" ]; then
  scripts/setup.sh asan-ubsan
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --preset asan-ubsan -j "$jobs"
  # The corpus check (docs/fuzzing.md): every capture in ../shared/pcaps, where a checkout sits
  # beside the shared captures (CI does), through the sanitizer build; no crash, hang or report.
  if [ -d ../shared/pcaps ]; then scripts/corpus_check.sh ../shared/pcaps; fi
  # Each fuzz target runs CAMWATCH_FUZZ_SECONDS (20 s) on one core; its own options
  # (tests/fuzz/run_fuzzer.sh) turn on leak detection.
  scripts/setup.sh fuzz
  ctest --preset fuzz -j "$jobs"
fi
