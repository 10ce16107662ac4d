#!/usr/bin/env bash
# corpus_check.sh: replays every capture in one or more folders through the sanitizer build of
# camwatch, one file at a time, and reports per file: packets read, read errors, and whether it
# crashed, hung or made AddressSanitizer/UBSan/LeakSanitizer report anything. A read error (a
# truncated or damaged capture) is fine: camwatch must name it and keep what came before. A crash,
# a hang or any sanitizer report is not, and makes the script exit 1 (docs/fuzzing.md).
#
#   scripts/corpus_check.sh [--build-dir DIR] [-c CONFIG] [--timeout S] [--all-files] FOLDER...
#
# e.g. scripts/corpus_check.sh ../shared/pcaps      (after scripts/setup.sh asan-ubsan)
set -uo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$script_dir/.." && pwd)
build_dir="$repo_dir/build/asan-ubsan"
config="$repo_dir/config/camwatch.example.yaml"
timeout_s=120
all_files=0
folders=()

usage() {
  cat <<EOF
usage: $(basename "$0") [--build-dir DIR] [-c CONFIG] [--timeout S] [--all-files] FOLDER...

  --build-dir DIR  build with the camwatch binary to run (default: $build_dir, the
                   asan-ubsan preset: scripts/setup.sh asan-ubsan)
  -c CONFIG        config to replay with (default: config/camwatch.example.yaml, so the
                   policy, alerts and enrichment run too)
  --timeout S      seconds one file may take before it counts as a hang (default: $timeout_s)
  --all-files      try every regular file, not only *.pcap *.pcapng *.cap and their .gz
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    -c | --config) config=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
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

total_files=0 total_packets=0 with_errors=0 bad=0
printf '%-8s %10s  %s\n' RESULT PACKETS FILE
for file in "${files[@]}"; do
  total_files=$((total_files + 1))
  rm -f "$work/summary.json"
  # Every output is written too: names off the wire go into JSON, CSV and HTML (a DNS name that
  # was not UTF-8 once made the JSON writer throw).
  timeout --kill-after=10 "$timeout_s" "$camwatch" replay -c "$config" --workers 2 \
    --summary "$work/summary.json" --flows "$work/flows.jsonl" --alerts "$work/alerts.jsonl" \
    --destinations "$work/destinations.csv" --report "$work/report.html" \
    "$file" >/dev/null 2>"$work/stderr"
  code=$?
  packets=0
  if [ -s "$work/summary.json" ]; then
    packets=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"])' \
      "$work/summary.json" 2>/dev/null || echo 0)
  fi
  total_packets=$((total_packets + packets))
  detail=""
  if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)' \
    "$work/stderr"; then
    result=SANITIZER
    detail=$(grep -m1 -E 'ERROR: |runtime error:' "$work/stderr")
  elif [ $code -eq 124 ] || [ $code -eq 137 ]; then
    result=HANG
    detail="still running after ${timeout_s} s"
  elif [ $code -gt 128 ]; then
    result=CRASH
    detail="killed by signal $((code - 128))"
  elif [ $code -eq 0 ]; then
    result=ok
  elif [ $code -eq 1 ] && grep -q '^camwatch: ' "$work/stderr"; then
    # camwatch named the problem: a damaged capture (what came before it was read) or one it
    # refuses as a whole (a link type it does not decode).
    result=error
    # The last line names the problem; earlier ones are warnings (e.g. no GeoIP data).
    detail=$(grep '^camwatch: ' "$work/stderr" | tail -n 1)
    with_errors=$((with_errors + 1))
  else
    result=FAILED
    detail="exit $code: $(grep '^camwatch: ' "$work/stderr" | tail -n 1)"
  fi
  case "$result" in
    SANITIZER | HANG | CRASH | FAILED)
      bad=$((bad + 1))
      printf '%-8s %10s  %s%s\n' "$result" "$packets" "$file" "${detail:+  ($detail)}"
      head -n 60 "$work/stderr" | sed 's/^/    /'  # the report itself, for the bug
      continue
      ;;
  esac
  printf '%-8s %10s  %s%s\n' "$result" "$packets" "$file" "${detail:+  ($detail)}"
done

echo "corpus_check: $total_files files, $total_packets packets, $with_errors with errors camwatch" \
  "named, $bad crashed, hung, failed or made a sanitizer report"
[ "$bad" -eq 0 ]
