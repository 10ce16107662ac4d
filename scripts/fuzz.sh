#!/usr/bin/env bash
# Fuzzes one target for longer than the test suite does (docs/fuzzing.md).
#
#   scripts/fuzz.sh TARGET [SECONDS] [JOBS]
#
# TARGET: fuzz_packets, fuzz_dns, fuzz_config or fuzz_capture. SECONDS (default 600) is how long
# each of JOBS fuzzing processes runs (default: half the cores, at least 1). Builds the fuzz
# preset (clang, libFuzzer, ASan+UBSan) first. The work corpus (kept between runs) and whatever
# libFuzzer finds land in build/fuzz-work/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/.."
targets="fuzz_packets fuzz_dns fuzz_config fuzz_capture"
target=${1:-}
if [ -z "$target" ] || [[ " $targets " != *" $target "* ]]; then
  echo "usage: scripts/fuzz.sh TARGET [SECONDS] [JOBS]   (TARGET: ${targets// /, })" >&2
  exit 2
fi
seconds=${2:-600}
jobs=${3:-$(( $(nproc) / 2 > 0 ? $(nproc) / 2 : 1 ))}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "$target"

workdir=$(pwd)/build/fuzz-work/$target
echo "fuzz: $target for ${seconds}s x $jobs job(s); work corpus $workdir/corpus"
status=0
tests/fuzz/run_fuzzer.sh "build/fuzz/tests/fuzz/$target" "$workdir" "$seconds" "$jobs" \
  "$(pwd)/tests/fuzz/corpus/$target" "$(pwd)/tests/fuzz/regressions/$target" || status=$?

found=$(find "$workdir/artifacts" -type f 2>/dev/null | sort)
if [ -n "$found" ]; then
  echo
  echo "fuzz: libFuzzer found these (crash-*, leak-*, timeout-*, oom-*):"
  echo "$found" | sed 's/^/  /'
  cat <<HELP

To reproduce one:  build/fuzz/tests/fuzz/$target FILE
To make it a regression test once the bug is fixed:
  cp FILE tests/fuzz/regressions/$target/<short-name>
  ctest --preset fuzz -R $target   (and the GCC builds run it through ${target}_corpus)
HELP
  exit 1
fi
if [ "$status" -ne 0 ]; then
  echo "fuzz: libFuzzer exited with $status (see the output above)" >&2
  exit "$status"
fi
echo "fuzz: nothing found"
