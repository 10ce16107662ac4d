#!/usr/bin/env bash
# memory_bench.sh: camwatch's memory per tracked flow at a million concurrent flows (issue 17,
# point 3: <= 1 KiB a flow after classification: flow table, DPI state pool, records in flight).
#
# Replays captures whose flows are all still open when the capture ends (each flow's packets
# lie within the idle timeouts, so the summary's flows.by_end_reason is all end_of_capture),
# once with --flows N flows and once with a baseline of --baseline B, with flows.max_flows
# raised so that nothing is evicted, and takes (peak RSS with N - peak RSS with B) / (N - B):
# what one more tracked flow costs, start-up (nDPI modules, rings, GeoIP, the binary) left out.
#
#   classified         camwatch-testgen concurrent: DNS and NTP exchanges of 2 packets each,
#                      which nDPI names from those packets, so the DPI state went back to the pool
#   classified-nodpi   the same with dpi.enabled: false
#   classifying        camwatch-testgen flood: one UDP datagram per flow that nDPI cannot name
#                      yet, so every flow holds an nDPI flow state until it ends (egress: each
#                      is also judged and alerted)
#   classifying-nodpi  the same with dpi.enabled: false
#
# In the figure: the flow table's entries and index, the worker's per-flow state, nDPI flow
# states from camwatch's pool and what nDPI mallocs per flow, the ended records in flight at
# the end (the replay ends its open flows in 64 slices of first-seen time and merges them batch
# by batch), allocator overhead, and per-address state that grows with the flows (the summary's
# digest up to replay.max_hosts, camera state up to inventory.max_cameras: 4096 cameras in
# `concurrent`). Not in it: what the baseline run has already, and any output file (no --flows
# or --report here: records are not kept).
#
# Config: camwatch's built-in defaults plus flows.max_flows (and dpi.enabled: false for the
# nodpi cases), written to a temp file. Also prints the per-flow sizes of the types
# (flow_memory_sizes) and nDPI's malloc'd bytes per flow (camwatch's own count, the summary's
# "nDPI peak memory"). --json FILE keeps the results (bench_results.py).
#
# Needs: a Release build with camwatch, camwatch-testgen and flow_memory_sizes, GNU time, python3.
# The million-flow captures take 218 MiB (concurrent) and 90 MiB (flood) in DIR/bench-data/.
set -euo pipefail

bench_name=memory_bench.sh
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$script_dir/.." && pwd)
build_dir="$repo_dir/build/release"
# shellcheck source=bench/bench_lib.sh
source "$script_dir/bench_lib.sh"

flows=1000000
baseline=1000
workers=1
max_flows=""
runs=1
cases="classified classified-nodpi classifying classifying-nodpi"
json_out=""

usage() {
  cat <<EOF
usage: $(basename "$0") [--build-dir DIR] [--flows N] [--baseline B] [--workers W]
                        [--max-flows M] [--runs R] [--cases "..."] [--json FILE]

  --build-dir DIR  Release build directory (default: $build_dir)
  --flows N        concurrent flows (default: $flows)
  --baseline B     flows of the baseline run (default: $baseline)
  --workers W      replay workers (default: $workers)
  --max-flows M    flows.max_flows (default: the next power of two >= N + N/32)
  --runs R         runs of each capture, alternating; the median peak RSS counts (default: $runs)
  --cases "..."    a subset of: classified classified-nodpi classifying classifying-nodpi
  --json FILE      write the results as JSON
EOF
}

while (($# > 0)); do
  case "$1" in
    --build-dir | --flows | --baseline | --workers | --max-flows | --runs | --cases | --json)
      (($# >= 2)) || die "$1 needs a value (see --help)"
      case "$1" in
        --build-dir) build_dir=$2 ;;
        --flows) flows=$2 ;;
        --baseline) baseline=$2 ;;
        --workers) workers=$2 ;;
        --max-flows) max_flows=$2 ;;
        --runs) runs=$2 ;;
        --cases) cases=$2 ;;
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
for option in flows baseline workers runs; do
  is_count "${!option}" || die "--$option must be a positive integer, got '${!option}'"
done
((baseline < flows)) || die "--baseline must be below --flows"
if [[ -z "$max_flows" ]]; then
  max_flows=1
  while ((max_flows < flows + flows / 32)); do max_flows=$((max_flows * 2)); done
fi
is_count "$max_flows" || die "--max-flows must be a positive integer, got '$max_flows'"
for c in $cases; do
  [[ " classified classified-nodpi classifying classifying-nodpi " == *" $c "* ]] ||
    die "--cases: unknown case '$c'"
done
build_dir=$(resolve_build_dir "$build_dir")
camwatch_bin="$build_dir/daemon/camwatch"
sizes_bin="$build_dir/bench/flow_memory_sizes"
need_built "$camwatch_bin" camwatch
need_built "$sizes_bin" flow_memory_sizes
need_gnu_time
need_python3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/memory_bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
describe_run
load_start=$run_load

printf 'flows:\n  max_flows: %s\n' "$max_flows" >"$tmp/dpi.yaml"
printf 'flows:\n  max_flows: %s\ndpi:\n  enabled: false\n' "$max_flows" >"$tmp/nodpi.yaml"
"$sizes_bin" "$max_flows" "$workers" >"$tmp/sizes"

# measure CASE CAPTURE CONFIG FLOWS: one replay; appends a JSON line to $tmp/CASE.FLOWS.
measure() {
  local id=$1 capture=$2 config=$3 n=$4
  if ! "$gnu_time" -f '%M' -o "$tmp/time.out" "$camwatch_bin" replay -c "$config" \
    --workers "$workers" --summary "$tmp/summary.json" "$capture" >"$tmp/out.txt" \
    2>"$tmp/stderr"; then
    tail -n 20 "$tmp/stderr" >&2
    die "camwatch replay of $capture failed"
  fi
  python3 - "$tmp/time.out" "$tmp/out.txt" "$tmp/summary.json" "$n" >>"$tmp/$id.$n" <<'EOF'
import json, re, sys
time_out, text, summary, flows = sys.argv[1:5]
rss = int(open(time_out).read().split()[-1])
m = re.search(r"nDPI peak memory ([0-9.]+) (B|KiB|MiB|GiB)", open(text).read())
scale = {"B": 1, "KiB": 1024, "MiB": 1024 ** 2, "GiB": 1024 ** 3}
ndpi = round(float(m.group(1)) * scale[m.group(2)]) if m else 0
s = json.load(open(summary))["flows"]
total, ended = s["total"], s["by_end_reason"].get("end_of_capture", 0)
if total != int(flows) or ended != total or s["evicted"] != 0:
    sys.exit(f"memory_bench.sh: expected {flows} flows all open at the end, got {total} "
             f"flows, {ended} ended at the end of the capture, {s['evicted']} evicted")
print(json.dumps({"rss_kib": rss, "ndpi_peak_bytes": ndpi, "flows": total}))
EOF
}

declare -A scenario_of=([classified]=concurrent [classified-nodpi]=concurrent
  [classifying]=flood [classifying-nodpi]=flood)
declare -A what_of=(
  [classified]="concurrent: DNS + NTP exchanges, 2 packets each, classified; DPI on"
  [classified-nodpi]="concurrent, dpi.enabled: false"
  [classifying]="flood: 1 UDP datagram each to a public address, not yet classified; DPI on"
  [classifying-nodpi]="flood, dpi.enabled: false")
echo "$bench_name: cases $cases; $flows against $baseline flows, $runs run(s) each ..." >&2
for c in $cases; do
  scenario=${scenario_of[$c]}
  big=$(generated_capture "$scenario" "$scenario-f$flows" --flows "$flows")
  small=$(generated_capture "$scenario" "$scenario-f$baseline" --flows "$baseline")
  config="$tmp/dpi.yaml"
  [[ "$c" == *-nodpi ]] && config="$tmp/nodpi.yaml"
  for ((run = 1; run <= runs; ++run)); do
    measure "$c" "$small" "$config" "$baseline"
    measure "$c" "$big" "$config" "$flows"
  done
  python3 - "$tmp/$c.$flows" "$tmp/$c.$baseline" "$c" "${what_of[$c]}" >>"$tmp/cases" <<'EOF'
import json, statistics, sys
big_file, small_file, case, what = sys.argv[1:5]
def median_of(path):
    runs = [json.loads(line) for line in open(path)]
    return {"rss_kib": statistics.median(r["rss_kib"] for r in runs),
            "ndpi_peak_bytes": statistics.median(r["ndpi_peak_bytes"] for r in runs),
            "rss_kib_runs": [r["rss_kib"] for r in runs]}
print(json.dumps({"id": case, "what": what, "big": median_of(big_file),
                  "small": median_of(small_file)}))
EOF
  echo "$bench_name: $c done" >&2
done
read_load

result="${json_out:-$tmp/result.json}"
python3 "$script_dir/bench_results.py" collect-memory --cases "$tmp/cases" --sizes "$tmp/sizes" \
  --out "$result" \
  --meta date="$run_date" commit="$run_commit" machine="$run_machine" load_start="$load_start" \
  load_end="$run_load" runs="$runs" flows="$flows" baseline_flows="$baseline" \
  workers="$workers" max_flows="$max_flows" \
  config="built-in defaults + flows.max_flows $max_flows (+ dpi.enabled false for nodpi)" \
  command="camwatch replay -c CONFIG --workers $workers --summary FILE CAPTURE"
python3 "$script_dir/bench_results.py" text "$result"
