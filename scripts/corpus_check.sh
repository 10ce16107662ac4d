#!/usr/bin/env bash
# corpus_check.sh: replays every capture in one or more folders through the sanitizer build of
# camwatch, as many files at a time as there are cores (--jobs), and reports per file: packets
# read, read errors, and whether it crashed, hung or made AddressSanitizer/UBSan/LeakSanitizer
# report anything. A read error (a
# truncated or damaged capture) is fine: camwatch must name it and keep what came before. A crash,
# a hang or any sanitizer report is not, and makes the script exit 1 (docs/fuzzing.md).
#
#   scripts/corpus_check.sh [--build-dir DIR] [-c CONFIG] [--timeout S] [--jobs N] [--all-files] FOLDER...
#
# e.g. scripts/corpus_check.sh ../shared/pcaps      (after scripts/setup.sh asan-ubsan)
set -uo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$script_dir/.." && pwd)
build_dir="$repo_dir/build/asan-ubsan"
config="$repo_dir/config/camwatch.example.yaml"
timeout_s=120
jobs_n=$(nproc)
all_files=0
folders=()

usage() {
  cat <<EOF
usage: $(basename "$0") [--build-dir DIR] [-c CONFIG] [--timeout S] [--jobs N] [--all-files] FOLDER...

  --build-dir DIR  build with the camwatch binary to run (default: $build_dir, the
                   asan-ubsan preset: scripts/setup.sh asan-ubsan)
  -c CONFIG        config to replay with (default: config/camwatch.example.yaml, so the
                   policy, alerts and enrichment run too)
  --timeout S      seconds one file may take before it counts as a hang (default: $timeout_s)
  --jobs N         captures replayed at a time (default: $jobs_n, the number of cores)
  --all-files      try every regular file, not only *.pcap *.pcapng *.cap and their .gz
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    -c | --config) config=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --jobs) jobs_n=$2; shift 2 ;;
    --all-files) all_files=1; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "corpus_check: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) folders+=("$1"); shift ;;
  esac
done
[ ${#folders[@]} -gt 0 ] || { usage >&2; exit 2; }
camwatch="$build_dir/daemon/camwatch"
if [ ! -x "$camwatch" ]; then
  echo "corpus_check: no camwatch binary at $camwatch (build it: scripts/setup.sh asan-ubsan)" >&2
  exit 2
fi
case "$jobs_n" in
  '' | *[!0-9]* | 0) echo "corpus_check: --jobs $jobs_n: expected a whole number of 1 or more" >&2; exit 2 ;;
esac
for folder in "${folders[@]}"; do
  [ -d "$folder" ] || { echo "corpus_check: $folder: not a folder" >&2; exit 2; }
done

files=()
if [ "$all_files" -eq 1 ]; then
  mapfile -d '' files < <(find "${folders[@]}" -type f -print0 | sort -z)
else
  mapfile -d '' files < <(find "${folders[@]}" -type f \( -name '*.pcap' -o -name '*.pcapng' \
    -o -name '*.cap' -o -name '*.pcap.gz' -o -name '*.pcapng.gz' -o -name '*.cap.gz' \) -print0 |
    sort -z)
fi
if [ ${#files[@]} -eq 0 ]; then
  echo "corpus_check: no capture files under ${folders[*]}" >&2
  exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Sanitizers: report leaks, stop at the first UBSan finding; our checks read stderr for reports,
# so the exit code a sanitizer picks does not matter.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=66${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

# Replays one capture into its own folder $work/$2 and leaves there `result` (RESULT PACKETS
# FILE (DETAIL) as printed), `packets`, `kind` (ok, error or bad) and, when bad, the report.
check_one() {
  local file=$1 out="$work/$2"
  mkdir -p "$out"
  # Every output is written too: names off the wire go into JSON, CSV and HTML (a DNS name that
  # was not UTF-8 once made the JSON writer throw).
  timeout --kill-after=10 "$timeout_s" "$camwatch" replay -c "$config" --workers 2 \
    --summary "$out/summary.json" --flows "$out/flows.jsonl" --alerts "$out/alerts.jsonl" \
    --destinations "$out/destinations.csv" --report "$out/report.html" \
    "$file" >/dev/null 2>"$out/stderr"
  local code=$? packets=0 detail="" result kind=ok
  if [ -s "$out/summary.json" ]; then
    packets=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"])' \
      "$out/summary.json" 2>/dev/null || echo 0)
  fi
  if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)' \
    "$out/stderr"; then
    result=SANITIZER
    detail=$(grep -m1 -E 'ERROR: |runtime error:' "$out/stderr")
  elif [ $code -eq 124 ] || [ $code -eq 137 ]; then
    result=HANG
    detail="still running after ${timeout_s} s"
  elif [ $code -gt 128 ]; then
    result=CRASH
    detail="killed by signal $((code - 128))"
  elif [ $code -eq 0 ]; then
    result=ok
  elif [ $code -eq 1 ] && grep -q '^camwatch: ' "$out/stderr"; then
    # camwatch named the problem: a damaged capture (what came before it was read) or one it
    # refuses as a whole (a link type it does not decode).
    result=error
    kind=error
    # The last line names the problem; earlier ones are warnings (e.g. no GeoIP data).
    detail=$(grep '^camwatch: ' "$out/stderr" | tail -n 1)
  else
    result=FAILED
    detail="exit $code: $(grep '^camwatch: ' "$out/stderr" | tail -n 1)"
  fi
  case "$result" in SANITIZER | HANG | CRASH | FAILED) kind=bad ;; esac
  printf '%-8s %10s  %s%s\n' "$result" "$packets" "$file" "${detail:+  ($detail)}" >"$out/result"
  if [ "$kind" = bad ]; then
    head -n 60 "$out/stderr" | sed 's/^/    /' >>"$out/result"  # the report itself, for the bug
  fi
  echo "$packets" >"$out/packets"
  echo "$kind" >"$out/kind"
  # Only the verdict is kept: the outputs of 180 captures would fill the temp folder.
  rm -f "$out/summary.json" "$out/flows.jsonl" "$out/alerts.jsonl" "$out/destinations.csv" \
    "$out/report.html"
}

# `jobs_n` files at a time (each replay has two workers; most captures are small, so a file's
# time is mostly camwatch starting under the sanitizers); results are printed in file order.
total_files=0 total_packets=0 with_errors=0 bad=0
printf '%-8s %10s  %s\n' RESULT PACKETS FILE
running=0
for index in "${!files[@]}"; do
  if [ "$running" -ge "$jobs_n" ]; then
    wait -n
    running=$((running - 1))
  fi
  check_one "${files[$index]}" "$index" &
  running=$((running + 1))
done
wait
for index in "${!files[@]}"; do
  out="$work/$index"
  total_files=$((total_files + 1))
  total_packets=$((total_packets + $(cat "$out/packets")))
  case "$(cat "$out/kind")" in
    error) with_errors=$((with_errors + 1)) ;;
    bad) bad=$((bad + 1)) ;;
  esac
  cat "$out/result"
done

echo "corpus_check: $total_files files, $total_packets packets, $with_errors with errors camwatch" \
  "named, $bad crashed, hung, failed or made a sanitizer report"
[ "$bad" -eq 0 ]
