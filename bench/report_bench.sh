#!/usr/bin/env bash
# report_bench.sh: issue 19's scale figure for `camwatch replay --report` (bench/README.md): a
# camera VLAN of --cameras cameras (200) making --flows flows (1 000 000) is generated
# (`camwatch-testgen fleet`), replayed with the matching inventory and the test GeoIP database
# writing --report, --destinations and --alerts, and then
#
#   - the page's size (issue 19: under 5 MB) and how many destination rows and alerts the CSV
#     and --alerts hold beyond what the page lists;
#   - how long headless Chromium takes to load the page: `chromium --headless --dump-dom` wall
#     time, R runs, interleaved with the same command on an empty page (Chromium's own start),
#     medians of both and their difference (issue 19: under 3 s on this machine).
#
# It measures and prints; it asserts nothing (a bench figure, not a timed test).
#
#   bench/report_bench.sh [--build-dir DIR] [--cameras N] [--flows N] [--runs R] [--keep DIR]
#
# Needs: a build with camwatch and camwatch-testgen (default build/release), Debian's chromium,
# perl with MaxMind::DB::Writer (libmaxmind-db-writer-perl, for the test GeoIP database).
set -euo pipefail

bench_name=report_bench.sh
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$script_dir/.." && pwd)
build_dir="$repo_dir/build/release"
# shellcheck source=bench/bench_lib.sh
source "$script_dir/bench_lib.sh"

cameras=200
flows=1000000
runs=3
keep=""
chromium=/usr/bin/chromium

usage() {
  cat <<EOF_USAGE
usage: $(basename "$0") [--build-dir DIR] [--cameras N] [--flows N] [--runs R] [--keep DIR]
  --keep DIR   leave the config, report, CSV and alerts in DIR (default: a temporary folder)
EOF_USAGE
}

while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) build_dir=$2; shift 2 ;;
    --cameras) cameras=$2; shift 2 ;;
    --flows) flows=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
is_count "$cameras" || die "--cameras: expected a count, got '$cameras'"
is_count "$flows" || die "--flows: expected a count, got '$flows'"
is_count "$runs" || die "--runs: expected a count, got '$runs'"
build_dir=$(resolve_build_dir "$build_dir")
camwatch="$build_dir/daemon/camwatch"
need_built "$camwatch" camwatch
[[ -x "$chromium" ]] || die "$chromium is missing (apt-get install -y chromium)"
need_gnu_time

if [[ -n "$keep" ]]; then
  mkdir -p "$keep"
  work=$(cd "$keep" && pwd)
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

describe_run
load_before=$run_load
capture=$(generated_capture fleet "fleet-${cameras}c-${flows}f" --cameras "$cameras" --flows "$flows")

# The test GeoIP database whose ranges the fleet's public servers sit in.
mkdir -p "$work/geo"
perl "$repo_dir/tests/support/make_test_mmdb.pl" "$work/geo" >/dev/null ||
  die "tests/support/make_test_mmdb.pl failed (apt-get install -y libmaxmind-db-writer-perl)"

# The inventory tests/support/scenarios/fleet.cc describes: camera i at 10.20.<i/200>.<i%200+10>,
# MAC <vendor OUI>:00:<i/256>:<i%256>, vendor by i % 10.
config="$work/fleet.yaml"
{
  cat <<EOF_CONFIG
sensor:
  name: report-bench
  country: GB
dpi:
  protocols_file: $repo_dir/config/camera-clouds.protos
  cloud_names_file: $repo_dir/config/camera-cloud-names.csv
geoip:
  country_db: $work/geo/demo-geo.mmdb
  asn_db: $work/geo/demo-geo.mmdb
  operators_file: $repo_dir/config/operators.csv
inventory:
  oui_file: $repo_dir/config/camera-oui.csv
  camera_networks: [10.20.0.0/16]
  local_networks: [10.20.255.1/32, 10.20.255.200/32]
  alert_unknown_devices: true
  devices:
EOF_CONFIG
  ouis=("44:19:b6" "44:19:b6" "44:19:b6" "44:19:b6" "3c:ef:8c" "3c:ef:8c" "3c:ef:8c" "00:40:8c"
    "00:40:8c" "02:00:14")
  for ((i = 0; i < cameras; i++)); do
    printf '    - {name: cam-%03d, ip: 10.20.%d.%d, mac: "%s:00:%02x:%02x"}\n' \
      "$i" $((i / 200)) $((i % 200 + 10)) "${ouis[$((i % 10))]}" $((i >> 8)) $((i & 255))
  done
  cat <<EOF_CONFIG
groups:
  default:
    egress_budget: 20MB
    budget_window: 10m
policy:
  default:
    hardcoded_address: warning
    rules:
      - name: time-sync
        action: allow
        protocols: [NTP]
        ports: [udp/123]
EOF_CONFIG
} >"$config"
"$camwatch" check-config -c "$config" >/dev/null || die "the generated config $config is not valid"

report="$work/report.html"
echo "$bench_name: replaying $capture ..." >&2
replay_start=$(date +%s.%N)
"$gnu_time" -f '%M' -o "$work/replay.rss" "$camwatch" replay -c "$config" --workers 2 \
  --report "$report" --destinations "$work/destinations.csv" --alerts "$work/alerts.jsonl" \
  --summary "$work/summary.json" "$capture" >/dev/null 2>"$work/replay.err" ||
  { cat "$work/replay.err" >&2; die "camwatch replay failed"; }
replay_end=$(date +%s.%N)

# Chromium's load time, three ways, each R runs interleaved with the same on an empty page (what
# Chromium itself takes to start):
#   dump-dom    wall time of --dump-dom, which returns once the page has loaded and its script ran
#   screenshot  wall time of --screenshot, which also lays out and paints the first screen
#   parsed      the page's own figure: data-report-ms, milliseconds from navigation start until
#               the page was parsed and its script ran (performance.now(), set by the script)
printf '<!DOCTYPE html><html><body>blank</body></html>\n' >"$work/blank.html"
chromium_run() { # chromium_run ACTION PAGE: prints the wall seconds
  local action=$1 page=$2 profile start end
  profile=$(mktemp -d)
  start=$(date +%s.%N)
  (cd "$work" && timeout -k 5 120 "$chromium" --headless=new --no-sandbox --disable-gpu \
    --no-first-run --user-data-dir="$profile" --host-resolver-rules='MAP * ~NOTFOUND' \
    --window-size=1280,1024 "$action" "file://$page" >"$work/dom.html" 2>/dev/null) || true
  end=$(date +%s.%N)
  rm -rf "$profile"
  echo "$end - $start" | bc -l
}
: >"$work/load.txt"
: >"$work/parsed.txt"
for ((run = 1; run <= runs; run++)); do
  blank_dom=$(chromium_run --dump-dom "$work/blank.html")
  page_dom=$(chromium_run --dump-dom "$report")
  grep -o 'data-report-ms="[0-9]*"' "$work/dom.html" | tr -dc '0-9' >>"$work/parsed.txt" || true
  echo >>"$work/parsed.txt"
  grep -q 'data-report-ready="1"' "$work/dom.html" ||
    echo "$bench_name: run $run: the page's script did not finish in Chromium" >&2
  blank_shot=$(chromium_run --screenshot "$work/blank.html")
  page_shot=$(chromium_run --screenshot "$report")
  echo "$blank_dom $page_dom $blank_shot $page_shot" >>"$work/load.txt"
done
rm -f "$work/screenshot.png"
read_load
seconds() { printf '%.2f' "$1"; }
difference() { printf '%.2f' "$(echo "$1 - $2" | bc -l)"; }
blank_dom=$(median "$work/load.txt" 1)
page_dom=$(median "$work/load.txt" 2)
blank_shot=$(median "$work/load.txt" 3)
page_shot=$(median "$work/load.txt" 4)
parsed_ms=$(median "$work/parsed.txt" 1)

page_bytes=$(stat -c %s "$report")
packets=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packets"])' \
  "$work/summary.json" 2>/dev/null || echo '?')
flow_records=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["flows"]["total"])' \
  "$work/summary.json" 2>/dev/null || echo '?')
csv_rows=$(($(wc -l <"$work/destinations.csv") - 1))
alerts=$(wc -l <"$work/alerts.jsonl")
cat <<EOF_RESULT
report_bench.sh  $run_date  $run_commit
machine: $run_machine
capture: camwatch-testgen fleet --cameras $cameras --flows $flows ($(stat -c %s "$capture") bytes, $packets packets, $flow_records flow records)
replay --workers 2 with --report, --destinations, --alerts: $(printf '%.1f' "$(echo "$replay_end - $replay_start" | bc -l)") s, peak RSS $(($(cat "$work/replay.rss") / 1024)) MiB
page: $page_bytes bytes ($(printf '%.2f' "$(echo "$page_bytes / 1048576" | bc -l)") MiB; issue 19: under 5 MB = 5000000 bytes: $([[ $page_bytes -lt 5000000 ]] && echo yes || echo NO))
beyond the page: $csv_rows destination rows in the CSV, $alerts alerts in --alerts
$(grep -o 'The [0-9]* most severe alerts are listed[^<]*' "$report" || echo "every alert is listed")
$(grep -c 'more are in the destinations CSV' "$report") camera tables cut ("N more are in the destinations CSV")
chromium --headless (median of $runs; blank page / report / difference):
  --dump-dom    $(seconds "$blank_dom") s / $(seconds "$page_dom") s / $(difference "$page_dom" "$blank_dom") s
  --screenshot  $(seconds "$blank_shot") s / $(seconds "$page_shot") s / $(difference "$page_shot" "$blank_shot") s
  parsed and its script run (data-report-ms): $(printf '%.0f' "$parsed_ms") ms after navigation start
load (1, 5, 15 min) before: $load_before; at the end: $run_load
EOF_RESULT
