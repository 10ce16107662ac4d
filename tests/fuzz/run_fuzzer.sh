#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time (ctest in the fuzz preset, scripts/fuzz.sh).
#
#   run_fuzzer.sh FUZZER WORKDIR SECONDS JOBS [CORPUS_DIR...]
#
# New inputs go to WORKDIR/corpus (made if missing), crashes, leaks and timeouts to
# WORKDIR/artifacts/; CORPUS_DIRs that exist (seeds, regressions) are read, never written.
# Exits non-zero when libFuzzer found anything.
set -euo pipefail
# Absolute paths: with JOBS > 1 it runs from WORKDIR.
fuzzer=$(realpath "$1") workdir=$(realpath -m "$2") seconds=$3 jobs=$4
shift 4
mkdir -p "$workdir/corpus" "$workdir/artifacts"
dirs=()
for dir in "$@"; do
  if [ -d "$dir" ]; then dirs+=("$(realpath "$dir")"); fi
done
# detect_leaks: a leak is a bug in a long-running daemon. The limits: an input that takes over
# 10 s or 2 GB is a hang or a leak, not a slow machine.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
args=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
      -artifact_prefix="$workdir/artifacts/")
# The longest input each target is given: a packet sequence, a config or a capture file is worth
# a few KB; a DNS message over UDP fits 1 KB. (Without it libFuzzer starts from the largest seed.)
case $(basename "$fuzzer") in
  fuzz_dns) args+=(-max_len=1024) ;;
  fuzz_packets) args+=(-max_len=8192) ;;
  *) args+=(-max_len=16384) ;;
esac
if [ "$jobs" -gt 1 ]; then
  # -jobs runs JOBS fuzzing processes (each until max_total_time) on -workers cores; their logs
  # go to fuzz-N.log in the current directory, so run from the work dir.
  cd "$workdir"
  args+=(-jobs="$jobs" -workers="$jobs")
fi
exec "$fuzzer" "${args[@]}" "$workdir/corpus" "${dirs[@]}"
