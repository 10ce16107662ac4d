#!/usr/bin/env bash
# scaling_bench.sh: how `camwatch replay` scales with its worker count (issue 17, point 5), and
# what limits it. For each worker count (default "1 2 4"), R runs, interleaved:
#
#   camwatch replay -c CONFIG --workers N --metrics TMP/metrics.prom CAPTURE
#
# (CONFIG: config/camwatch.example.yaml unless --config) and prints, for the median run: wall
# time, packets/s, the speedup over the first count, CPU time (user + sys) and the cores that
# makes on average, the reading thread's CPU share (sampled from /proc/PID/task every 0.1 s), each
# worker's busy share from camwatch's own counters (camwatch_worker_busy_seconds_total and
# _idle_seconds_total, written by --metrics FILE at the end), peak RSS, and which of these is
# saturated. --json FILE keeps the results (bench_results.py).
#
# Needs: a Release build with camwatch (camwatch-testgen for the default capture), GNU time
# (package `time`), python3.
set -euo pipefail

bench_name=scaling_bench.sh
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$script_dir/.." && pwd)
build_dir="$repo_dir/build/release"
# shellcheck source=bench/bench_lib.sh
source "$script_dir/bench_lib.sh"

packets=750000
flows=220000
runs=3
worker_counts="1 2 4"
capture=""
config="$repo_dir/config/camwatch.example.yaml"
json_out=""

usage() {
  cat <<EOF
usage: $(basename "$0") [--build-dir DIR] [--capture FILE | --packets N --flows M] [--runs R]
                        [--workers "1 2 4"] [--config FILE] [--json FILE]

  --build-dir DIR  Release build directory (default: $build_dir)
  --capture FILE   the capture to replay (default: camwatch-testgen bench --packets N --flows M,
                   cached in DIR/bench-data/; defaults $packets / $flows)
  --runs R         runs per worker count, interleaved (default: $runs)
  --workers "N..." worker counts (default: "$worker_counts")
  --config FILE    camwatch config (default: config/camwatch.example.yaml)
  --json FILE      write the results as JSON
EOF
}

while (($# > 0)); do
  case "$1" in
    --build-dir | --packets | --flows | --runs | --workers | --capture | --config | --json)
      (($# >= 2)) || die "$1 needs a value (see --help)"
      case "$1" in
        --build-dir) build_dir=$2 ;;
        --packets) packets=$2 ;;
        --flows) flows=$2 ;;
        --runs) runs=$2 ;;
        --workers) worker_counts=$2 ;;
        --capture) capture=$2 ;;
        --config) config=$2 ;;
        --json) json_out=$2 ;;
      esac
      shift 2
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown argument: $1"
      ;;
  esac
done
for option in packets flows runs; do
  is_count "${!option}" || die "--$option must be a positive integer, got '${!option}'"
done
for n in $worker_counts; do is_count "$n" || die "--workers: '$n' is not a worker count"; done
[[ -r "$config" ]] || die "cannot read config $config"
build_dir=$(resolve_build_dir "$build_dir")
camwatch_bin="$build_dir/daemon/camwatch"
need_built "$camwatch_bin" camwatch
need_gnu_time
need_python3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/scaling_bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
describe_run
load_start=$run_load

if [[ -n "$capture" ]]; then
  [[ -r "$capture" ]] || die "cannot read capture $capture"
  capture=$(cd "$(dirname "$capture")" && pwd)/$(basename "$capture")
else
  capture=$(generated_capture bench "bench-p$packets-f$flows" --packets "$packets" --flows "$flows")
fi

# The capture's counts; the run also brings it into the page cache.
"$camwatch_bin" replay -c "$config" --workers 1 --summary "$tmp/summary.json" "$capture" \
  >/dev/null || die "camwatch replay failed on $capture"
read -r capture_packets capture_flows < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["packets"], s["flows"]["total"])' "$tmp/summary.json")

# CPU ticks (utime + stime) of every thread of PID, one "tid ticks" line each.
thread_ticks() {
  local stat
  for stat in /proc/"$1"/task/*/stat; do
    # Fields after the command name (which has no spaces here): 14 utime, 15 stime.
    awk '{print $1, $14 + $15}' "$stat" 2>/dev/null || true
  done
}

# measure N: one run with N workers; appends a JSON line to $tmp/runs/wN.
measure() {
  local workers=$1 start end tpid cpid=""
  rm -f "$tmp/metrics.prom" "$tmp/ticks"
  start=$(date +%s%N)
  "$gnu_time" -f '%M %U %S' -o "$tmp/time.out" "$camwatch_bin" replay -c "$config" \
    --workers "$workers" --metrics "$tmp/metrics.prom" "$capture" >/dev/null 2>"$tmp/stderr" &
  tpid=$!
  # GNU time's child is camwatch; sample its threads until it exits. Each thread's figure is
  # its last sample (workers end before the main thread): it misses at most 0.1 s.
  while kill -0 "$tpid" 2>/dev/null; do
    [[ -n "$cpid" ]] || cpid=$(awk '{print $1}' "/proc/$tpid/task/$tpid/children" 2>/dev/null)
    [[ -z "$cpid" ]] || thread_ticks "$cpid" >>"$tmp/ticks"
    sleep 0.1
  done
  if ! wait "$tpid"; then
    tail -n 20 "$tmp/stderr" >&2
    die "camwatch replay --workers $workers failed"
  fi
  end=$(date +%s%N)
  python3 - "$tmp/time.out" "$tmp/metrics.prom" "$tmp/ticks" "${cpid:-0}" "$((end - start))" \
    "$(getconf CLK_TCK)" >>"$tmp/runs/w$workers" <<'EOF'
import json, re, sys
time_out, metrics, ticks, main_tid, wall_ns, hz = sys.argv[1:7]
rss, user, system = open(time_out).read().split()[-3:]
busy, idle = {}, {}
for line in open(metrics):
    m = re.match(r'camwatch_worker_(busy|idle)_seconds_total\{worker="(\d+)"\} (\S+)', line)
    if m:
        (busy if m.group(1) == "busy" else idle)[int(m.group(2))] = float(m.group(3))
latest = {}  # tid -> CPU seconds at its last sample (ticks only grow)
try:
    for line in open(ticks):
        tid, t = line.split()
        latest[tid] = max(latest.get(tid, 0.0), int(t) / int(hz))
except FileNotFoundError:
    pass
reader = latest.pop(main_tid, 0.0)
others = list(latest.values())
workers = sorted(busy)
print(json.dumps({"wall_s": int(wall_ns) / 1e9, "rss_kib": int(rss), "user_s": float(user),
                  "sys_s": float(system), "busy_s": [busy[w] for w in workers],
                  "idle_s": [idle.get(w, 0.0) for w in workers], "reader_cpu_s": reader,
                  "other_cpu_s": sorted(others, reverse=True)}))
EOF
}

mkdir -p "$tmp/runs"
echo "$bench_name: workers $worker_counts, $runs run(s) each, interleaved ..." >&2
for ((run = 1; run <= runs; ++run)); do
  for n in $worker_counts; do measure "$n"; done
  echo "$bench_name: run $run of $runs done" >&2
done
read_load

shown_config=${config//"$repo_dir/"/}
result="${json_out:-$tmp/result.json}"
python3 "$script_dir/bench_results.py" collect-scaling --workers "$worker_counts" \
  --runs-dir "$tmp/runs" --out "$result" \
  --meta date="$run_date" commit="$run_commit" machine="$run_machine" load_start="$load_start" \
  load_end="$run_load" runs="$runs" capture="$capture" packets="$capture_packets" \
  flows="$capture_flows" cores="$(nproc)" \
  command="camwatch replay -c $shown_config --workers N --metrics FILE $(basename "$capture")"
python3 "$script_dir/bench_results.py" text "$result"
