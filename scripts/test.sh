#!/usr/bin/env bash
# The whole test suite, as CI runs it: sets up, builds with GCC and warnings as errors and runs
# every test through ctest; then builds with clang under ASan+UBSan (warnings as errors too) and
# runs every test again there, with the libFuzzer targets each fuzzing for a bounded time
# (docs/fuzzing.md).
#
#   scripts/test.sh            everything
#   scripts/test.sh --quick    only the ci build (no sanitizer or fuzz pass), for a fast local loop
#
# Skipped tests: ctest counts a skipped test as "Not Run" and still passes. After each ctest run,
# scripts/ctest_no_skips.py names every test that did not run and why. When CI is set (CI does:
# .ci/run) or CAMWATCH_STRICT=1, any such test fails the suite; a developer's local run (not root,
# say) only lists them.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
started=$(date +%s)

strict=()
if [ -n "${CI:-}" ] || [ "${CAMWATCH_STRICT:-}" = 1 ]; then strict=(--strict); fi

# ctest for one preset, its JUnit report checked for tests that did not run.
run_ctest() {
  local preset=$1
  local junit="build/$preset/ctest-junit.xml"
  local status=0
  ctest --preset "$preset" -j "$jobs" --output-junit "$PWD/$junit" || status=$?
  python3 scripts/ctest_no_skips.py "$junit" "${strict[@]}" || status=1
  return "$status"
}

# How long each step took, so a slow CI run says where its time went.
mark=$started
lap() {
  local now
  now=$(date +%s)
  echo "test.sh: $1 took $((now - mark)) s"
  mark=$now
}

scripts/setup.sh ci
lap "set-up and the ci build"
run_ctest ci
lap "the ci tests"

if [ "${1:-}" != "--quick" ]; then
  scripts/setup.sh asan-ubsan
  lap "the asan-ubsan build"
  # Among these tests, each fuzz target runs CAMWATCH_FUZZ_SECONDS (20 s) on one core; its own
  # options (tests/fuzz/run_fuzzer.sh) turn on leak detection.
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_ctest asan-ubsan
  lap "the asan-ubsan tests and fuzzing"
  # The corpus check (docs/fuzzing.md): every capture in ../shared/pcaps, where a checkout sits
  # beside the shared captures (CI does), through the sanitizer build; no crash, hang or report.
  if [ -d ../shared/pcaps ]; then
    scripts/corpus_check.sh ../shared/pcaps
    lap "the corpus check"
  fi
fi
echo "test.sh: every step passed in $(($(date +%s) - started)) s"
