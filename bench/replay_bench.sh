#!/usr/bin/env bash
# replay_bench.sh: the reproducible end-to-end replay benchmark (bench/README.md).
#
# Makes (or reuses) a large synthetic capture with camwatch-testgen's `bench` scenario, then times
# seven programs on it, R runs each, interleaved:
#   camwatch replay --workers W   the pipeline under test, built-in defaults: flows + nDPI DPI
#   camwatch-forensic             an analyst's run: the example config (policy, alerts, GeoIP when
#                                 data/geoip has it) writing flows, alerts, summary, the
#                                 destinations CSV and the HTML report (docs/report.md)
#   camwatch-nodpi                the same with `dpi: {enabled: false}`: flow tracking only
#   ndpiReader -q                 nDPI 4.2's reader (Debian libndpi-bin): flows + DPI
#   tshark -q -z conv,ip          Wireshark's per-IP-pair conversation table (Debian tshark)
#   parse_hash_loop               read + camwatch decode + 5-tuple std::unordered_map, one thread
#   pcap_read_loop                libpcap read only: the floor
# and prints the median wall time, packets/s, peak RSS (GNU time) and ratios against camwatch.
#
# Needs: a Release build with camwatch, camwatch-testgen, pcap_read_loop and parse_hash_loop
# (CAMWATCH_BUILD_TESTS=ON and CAMWATCH_BUILD_BENCH=ON), ndpiReader (libndpi-bin), tshark,
# GNU time (package `time`), jq or python3.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$script_dir/.." && pwd)
build_dir="$repo_dir/build/release"
packets=750000
flows=220000
runs=3
cores=$(nproc 2>/dev/null || echo 2)
# The reader thread needs a core of its own; the workers get the rest.
workers=$((cores > 1 ? cores - 1 : 1))
capture=""

usage() {
  cat <<EOF
usage: $(basename "$0") [--build-dir DIR] [--packets N] [--flows M] [--runs R] [--workers W]
                        [--capture FILE]

  --build-dir DIR  Release build directory (default: $build_dir)
  --packets N      packets in the generated capture (default: $packets)
  --flows M        flows in the generated capture (default: $flows)
  --runs R         timed runs per tool; the median is reported (default: $runs)
  --workers W      camwatch replay worker threads (default: cores - 1 = $workers)
  --capture FILE   time an existing capture instead of generating one (--packets and --flows
                   are then ignored)

The generated capture is cached in DIR/bench-data/ and reused when the parameters match.
EOF
}

die() {
  echo "replay_bench.sh: $*" >&2
  exit 1
}

is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }

while (($# > 0)); do
  case "$1" in
    --build-dir | --packets | --flows | --runs | --workers | --capture)
      (($# >= 2)) || die "$1 needs a value (see --help)"
      case "$1" in
        --build-dir) build_dir=$2 ;;
        --packets) packets=$2 ;;
        --flows) flows=$2 ;;
        --runs) runs=$2 ;;
        --workers) workers=$2 ;;
        --capture) capture=$2 ;;
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
for option in packets flows runs workers; do
  is_count "${!option}" || die "--$option must be a positive integer, got '${!option}'"
done
[[ -d "$build_dir" ]] || die "build directory $build_dir does not exist; configure it with
  cmake -S $repo_dir -B $build_dir -G Ninja -DCMAKE_BUILD_TYPE=Release"
build_dir=$(cd "$build_dir" && pwd)

# --- tools ---------------------------------------------------------------------------------------
need_built() {  # need_built PATH TARGET
  [[ -x "$1" ]] || die "$1 is missing: build it with 'ninja -C $build_dir $2'"
}
camwatch_bin="$build_dir/daemon/camwatch"
pcap_read_loop_bin="$build_dir/bench/pcap_read_loop"
parse_hash_loop_bin="$build_dir/bench/parse_hash_loop"
testgen_bin="$build_dir/tests/tools/camwatch-testgen"
need_built "$camwatch_bin" camwatch
need_built "$pcap_read_loop_bin" pcap_read_loop
need_built "$parse_hash_loop_bin" parse_hash_loop
ndpi_reader_bin=$(command -v ndpiReader) ||
  die "ndpiReader is not installed (apt-get install -y libndpi-bin)"
tshark_bin=$(command -v tshark) || die "tshark is not installed (apt-get install -y tshark)"
gnu_time=/usr/bin/time
if ! [[ -x "$gnu_time" ]] || ! "$gnu_time" -f '%M' true >/dev/null 2>&1; then
  die "GNU time is not installed at $gnu_time (apt-get install -y time)"
fi
if command -v jq >/dev/null; then
  json_get() { jq -r "$2" "$1"; }
elif command -v python3 >/dev/null; then
  json_get() {  # json_get FILE .a.b
    python3 -c 'import json, sys
value = json.load(open(sys.argv[1]))
for part in sys.argv[2].strip(".").split("."):
    value = value[part]
print(value)' "$1" "$2"
  }
else
  die "need jq or python3 to read camwatch's JSON summary (apt-get install -y jq)"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/replay_bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# --- capture -------------------------------------------------------------------------------------
if [[ -n "$capture" ]]; then
  [[ -r "$capture" ]] || die "cannot read capture $capture"
  capture_note="given with --capture"
else
  need_built "$testgen_bin" "camwatch-testgen (configure with -DCAMWATCH_BUILD_TESTS=ON)"
  cache_dir="$build_dir/bench-data"
  capture="$cache_dir/bench-p$packets-f$flows.pcap"
  if [[ -s "$capture" ]]; then
    capture_note="camwatch-testgen bench --packets $packets --flows $flows"
    capture_note+=" (cached; delete the file to regenerate)"
  else
    mkdir -p "$cache_dir"
    echo "generating $capture ..." >&2
    # Write under a temporary name first, so an interrupted run never leaves a short capture.
    partial="$capture.partial.$$"
    if ! "$testgen_bin" bench "$partial" --packets "$packets" --flows "$flows" \
      >"$tmp/testgen.log" 2>&1; then
      rm -f "$partial"
      cat "$tmp/testgen.log" >&2
      die "camwatch-testgen failed"
    fi
    mv "$partial" "$capture"
    capture_note="camwatch-testgen bench --packets $packets --flows $flows"
  fi
fi

printf 'dpi:\n  enabled: false\n' >"$tmp/nodpi.yaml"

# What the capture holds, as camwatch counts it. This run also brings the file into the page
# cache, so every timed run below reads from memory.
"$camwatch_bin" replay --workers "$workers" --summary "$tmp/summary.json" "$capture" >/dev/null ||
  die "camwatch replay failed on $capture"
capture_packets=$(json_get "$tmp/summary.json" .packets)
capture_flows=$(json_get "$tmp/summary.json" .flows.total)
capture_ip_packets=$(json_get "$tmp/summary.json" .ip_packets)
capture_evicted=$(json_get "$tmp/summary.json" .flows.evicted)
capture_bytes=$(stat -c %s "$capture")
# testgen is deterministic: the same testgen and parameters give the same file, and this says so.
capture_sha=$(sha256sum "$capture" | cut -c1-16)
# Cross-check the packet count with bare libpcap.
read_loop_packets=$("$pcap_read_loop_bin" "$capture" | awk '/^total:/ {print $3}')
[[ "$read_loop_packets" == "$capture_packets" ]] ||
  die "pcap_read_loop counts $read_loop_packets packets, camwatch $capture_packets"
((capture_packets > 0)) || die "$capture holds no packets"

# --- timing --------------------------------------------------------------------------------------
tools=(camwatch camwatch-forensic camwatch-nodpi ndpiReader tshark parse_hash_loop pcap_read_loop)
tshark_version=$("$tshark_bin" --version 2>/dev/null | grep -o -m1 '[0-9][0-9.]*[0-9]' | head -n 1 || true)
ndpi_version=$("$ndpi_reader_bin" -h 2>&1 | awk '/nDPI/ {print $NF; exit}' || true)
declare -A describe=(
  [camwatch]="built-in defaults: read + L2-L4 decode + DNS answer cache on a reader thread,
                   SPSC rings to $workers worker thread(s), each with a flow table (timeouts,
                   eviction) and an nDPI module (DPI: the first 80 TCP / 24 UDP packets of every
                   flow, as ndpiReader); flow records + summary"
  [camwatch-forensic]="the same pipeline with config/camwatch.example.yaml (policy, alerts,
                   inventory, GeoIP when data/geoip/ has it) writing --flows, --alerts, --summary,
                   --destinations (CSV) and --report (HTML, with the files' SHA-256)"
  [camwatch-nodpi]="the same with dpi.enabled: false: flow tracking without DPI"
  [tshark]="Wireshark ${tshark_version:-?} tshark -r FILE -q -z conv,ip: full dissection of every
                   packet, one conversation table per IP pair, 1 thread"
  [ndpiReader]="nDPI ${ndpi_version:-?}: read + decode + flow table + DPI (protocol detection on
                   every flow), 1 thread"
  [parse_hash_loop]="read + camwatch decodePacket + makeFlowKey/hashFlowKey + std::unordered_map
                   count per flow, 1 thread, no timeouts"
  [pcap_read_loop]="libpcap pcap_next_ex loop counting packets and bytes: the floor"
)
command_for() {  # sets the array `cmd` to the command line of tool $1
  case "$1" in
    camwatch) cmd=("$camwatch_bin" replay --workers "$workers" "$capture") ;;
    camwatch-forensic)
      cmd=("$camwatch_bin" replay -c "$repo_dir/config/camwatch.example.yaml" --workers "$workers"
        --flows "$tmp/forensic-flows.jsonl" --alerts "$tmp/forensic-alerts.jsonl"
        --summary "$tmp/forensic-summary.json" --destinations "$tmp/forensic-destinations.csv"
        --report "$tmp/forensic-report.html" "$capture")
      ;;
    camwatch-nodpi)
      cmd=("$camwatch_bin" replay -c "$tmp/nodpi.yaml" --workers "$workers" "$capture")
      ;;
    ndpiReader) cmd=("$ndpi_reader_bin" -i "$capture" -q) ;;
    tshark) cmd=("$tshark_bin" -r "$capture" -q -z conv,ip) ;;
    parse_hash_loop) cmd=("$parse_hash_loop_bin" "$capture") ;;
    pcap_read_loop) cmd=("$pcap_read_loop_bin" "$capture") ;;
  esac
}

# measure TOOL: one run; appends "nanoseconds peak_rss_kib" to $tmp/TOOL.runs.
measure() {
  local tool=$1 start end
  local cmd=()
  command_for "$tool"
  start=$(date +%s%N)
  if ! "$gnu_time" -f '%e %M' -o "$tmp/time.out" "${cmd[@]}" >/dev/null 2>"$tmp/$tool.stderr"; then
    tail -n 20 "$tmp/$tool.stderr" >&2
    die "$tool failed: ${cmd[*]}"
  fi
  end=$(date +%s%N)
  echo "$((end - start)) $(tail -n 1 "$tmp/time.out" | awk '{print $2}')" >>"$tmp/$tool.runs"
}

echo "timing ${tools[*]}: $runs run(s) each, interleaved ..." >&2
for ((run = 1; run <= runs; ++run)); do
  for tool in "${tools[@]}"; do measure "$tool"; done
done

# Figures from $tmp/TOOL.runs; times in seconds, RSS in MiB.
median_seconds() {
  sort -n -k1,1 "$tmp/$1.runs" | awk '{t[NR] = $1}
    END {m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "%.3f", m / 1e9}'
}
min_seconds() { sort -n -k1,1 "$tmp/$1.runs" | awk 'NR == 1 {printf "%.3f", $1 / 1e9}'; }
max_rss_mib() { awk 'BEGIN {m = 0} $2 > m {m = $2} END {printf "%.1f", m / 1024}' "$tmp/$1.runs"; }
all_seconds() { awk '{printf "%s%.3f", (NR > 1 ? " " : ""), $1 / 1e9}' "$tmp/$1.runs"; }

declare -A seconds best rss mpps
for tool in "${tools[@]}"; do
  seconds[$tool]=$(median_seconds "$tool")
  best[$tool]=$(min_seconds "$tool")
  rss[$tool]=$(max_rss_mib "$tool")
  mpps[$tool]=$(awk -v p="$capture_packets" -v s="${seconds[$tool]}" \
    'BEGIN {printf "%.3f", (s > 0 ? p / s / 1e6 : 0)}')
done
# speedup TOOL: camwatch's packets/s over TOOL's (= TOOL's time over camwatch's).
speedup() {
  awk -v c="${seconds[camwatch]}" -v t="${seconds[$1]}" \
    'BEGIN {printf "%.2fx", (c > 0 ? t / c : 0)}'
}

# --- report --------------------------------------------------------------------------------------
cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
echo
echo "camwatch replay benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine:  $cores cores${cpu:+, $cpu}, $(uname -sr)"
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
echo "load:     $load (1/5/15 min, at the end; other work on the machine skews the figures)"
echo "capture:  $capture"
echo "          $capture_note"
echo "          $capture_packets packets ($capture_ip_packets IP), $capture_flows flows" \
  "(camwatch .flows.total; $capture_evicted evicted), $((capture_bytes / 1048576)) MiB," \
  "sha256 $capture_sha..."
echo "runs:     $runs per tool, interleaved; Mpps and ratios from the median wall time; peak RSS ="
echo "          max over runs (GNU time %M)"
echo
printf '%-24s %9s %9s %9s %13s %26s\n' tool "median s" "min s" Mpps "peak RSS MiB" \
  "camwatch / tool packets/s"
for tool in "${tools[@]}"; do
  label=$tool
  [[ "$tool" == camwatch ]] && label="camwatch --workers $workers"
  [[ "$tool" == camwatch-nodpi ]] && label="camwatch-nodpi -w $workers"
  ratio=$(speedup "$tool")
  [[ "$tool" == camwatch ]] && ratio="-"
  printf '%-24s %9s %9s %9s %13s %26s\n' "$label" "${seconds[$tool]}" "${best[$tool]}" \
    "${mpps[$tool]}" "${rss[$tool]}" "$ratio"
done
echo
for tool in "${tools[@]}"; do
  [[ "$tool" == camwatch ]] && continue
  echo "camwatch / $tool packets/s = $(speedup "$tool")"
done
# The forensic comparison (issue 7): the analyst's full run against the two peers an analyst
# would otherwise reach for on the same file.
for peer in ndpiReader tshark; do
  awk -v c="${seconds[camwatch-forensic]}" -v t="${seconds[$peer]}" -v p="$peer" \
    'BEGIN {printf "camwatch-forensic / %s packets/s = %.2fx\n", p, (c > 0 ? t / c : 0)}'
done
echo
echo "what each tool does (camwatch and ndpiReader run DPI; the others do not):"
for tool in "${tools[@]}"; do printf '  %-16s %s\n' "$tool" "${describe[$tool]}"; done
echo
echo "all runs (s):"
for tool in "${tools[@]}"; do printf '  %-16s %s\n' "$tool" "$(all_seconds "$tool")"; done
