#!/usr/bin/env bash
# replay_bench.sh: issue 17's end-to-end replay comparison (bench/README.md), every peer timed in
# one run on one capture, R runs each, interleaved (A B C ... A B C ...):
#
#   camwatch-example-wN   camwatch replay -c config/camwatch.example.yaml --workers N CAPTURE
#   camwatch-forensic-wN  the same writing --flows, --alerts, --summary, --destinations, --report
#   camwatch-nodpi-wN     the example config with dpi.enabled: false (what DPI costs)
#   ndpiReader            ndpiReader -i CAPTURE -q (nDPI 4.2, Debian libndpi-bin): flows + DPI
#   tshark                tshark -q -z conv,ip -r CAPTURE (Wireshark's conversation table)
#   parse_hash_loop       read + camwatch decode + 5-tuple std::unordered_map, one thread: a floor
#   pcap_read_loop        libpcap read only: the floor
#
# for each N of --workers (default "1 2"), and prints the median wall time, packets/s, CPU time,
# peak RSS, and packets/s and RSS against ndpiReader (and packets/s against tshark), with issue
# 17's bars: the example config at >= 5x ndpiReader's packets/s with <= 1/3 of its RSS, the
# forensic run at >= 3x ndpiReader's and >= 2x tshark's packets/s. --json FILE keeps the
# results (bench_results.py makes the README table from it).
#
# The capture: --capture FILE, --flood N (camwatch-testgen flood --flows N: one camera, one UDP
# datagram to each of N public addresses, every packet a new egress flow and an alert) or, by
# default, camwatch-testgen bench --packets P --flows M.
#
# Needs: a Release build with camwatch, camwatch-testgen (for the generated captures),
# pcap_read_loop and parse_hash_loop; ndpiReader (libndpi-bin), tshark, GNU time (package
# `time`), python3.
set -euo pipefail

bench_name=replay_bench.sh
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$script_dir/.." && pwd)
build_dir="$repo_dir/build/release"
# shellcheck source=bench/bench_lib.sh
source "$script_dir/bench_lib.sh"

packets=750000
flows=220000
flood=""
runs=3
worker_counts="1 2"
capture=""
json_out=""
all_tools="camwatch-example camwatch-forensic camwatch-nodpi ndpiReader tshark parse_hash_loop"
all_tools+=" pcap_read_loop"
tools_wanted=$all_tools

usage() {
  cat <<EOF
usage: $(basename "$0") [--build-dir DIR] [--capture FILE | --flood N | --packets N --flows M]
                        [--runs R] [--workers "1 2"] [--tools "..."] [--json FILE]

  --build-dir DIR  Release build directory (default: $build_dir)
  --capture FILE   time an existing capture (e.g. /work/real-bench/real-bench.pcap)
  --flood N        time camwatch-testgen flood --flows N (one camera to N public addresses)
  --packets N      packets in the generated bench capture (default: $packets)
  --flows M        flows in the generated bench capture (default: $flows)
  --runs R         timed runs per tool, interleaved; the median is reported (default: $runs)
  --workers "N..." camwatch worker counts, one line per count for each camwatch run
                   (default: "$worker_counts")
  --tools "..."    a subset of: $all_tools
  --json FILE      write the results as JSON (bench_results.py markdown FILE makes the table)

Generated captures are cached in DIR/bench-data/ and reused when the parameters match.
EOF
}

while (($# > 0)); do
  case "$1" in
    --build-dir | --packets | --flows | --flood | --runs | --workers | --capture | --tools | --json)
      (($# >= 2)) || die "$1 needs a value (see --help)"
      case "$1" in
        --build-dir) build_dir=$2 ;;
        --packets) packets=$2 ;;
        --flows) flows=$2 ;;
        --flood) flood=$2 ;;
        --runs) runs=$2 ;;
        --workers) worker_counts=$2 ;;
        --capture) capture=$2 ;;
        --tools) tools_wanted=$2 ;;
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
[[ -z "$flood" ]] || is_count "$flood" || die "--flood must be a positive integer, got '$flood'"
[[ -z "$flood" || -z "$capture" ]] || die "--flood and --capture exclude each other"
for n in $worker_counts; do is_count "$n" || die "--workers: '$n' is not a worker count"; done
for tool in $tools_wanted; do
  word_in "$all_tools" "$tool" || die "--tools: unknown tool '$tool'"
done
build_dir=$(resolve_build_dir "$build_dir")

# --- tools ---------------------------------------------------------------------------------------
camwatch_bin="$build_dir/daemon/camwatch"
pcap_read_loop_bin="$build_dir/bench/pcap_read_loop"
parse_hash_loop_bin="$build_dir/bench/parse_hash_loop"
need_built "$camwatch_bin" camwatch
need_built "$pcap_read_loop_bin" pcap_read_loop
need_built "$parse_hash_loop_bin" parse_hash_loop
ndpi_reader_bin=$(command -v ndpiReader) ||
  die "ndpiReader is not installed (apt-get install -y libndpi-bin)"
tshark_bin=$(command -v tshark) || die "tshark is not installed (apt-get install -y tshark)"
need_gnu_time
need_python3
example_config="$repo_dir/config/camwatch.example.yaml"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/replay_bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
describe_run
load_start=$run_load

# --- capture -------------------------------------------------------------------------------------
if [[ -n "$capture" ]]; then
  [[ -r "$capture" ]] || die "cannot read capture $capture"
  capture=$(cd "$(dirname "$capture")" && pwd)/$(basename "$capture")
  capture_note="given with --capture"
elif [[ -n "$flood" ]]; then
  capture=$(generated_capture flood "flood-f$flood" --flows "$flood")
  capture_note="camwatch-testgen flood --flows $flood"
else
  capture=$(generated_capture bench "bench-p$packets-f$flows" --packets "$packets" --flows "$flows")
  capture_note="camwatch-testgen bench --packets $packets --flows $flows"
fi

# The example config without DPI: the same run with the classifier's share taken out.
derive_example_config "$tmp/nodpi.yaml" '/^dpi:/,/^[a-z]/ s/^(  enabled:).*/\1 false/'
sed -n '/^dpi:/,/^[a-z]/p' "$tmp/nodpi.yaml" | grep -q '^  enabled: false' ||
  die "could not turn DPI off in $tmp/nodpi.yaml"

# What the capture holds, as camwatch counts it. This run also brings the file into the page
# cache, so every timed run below reads from memory.
"$camwatch_bin" replay -c "$example_config" --workers 1 --summary "$tmp/summary.json" \
  "$capture" >/dev/null || die "camwatch replay failed on $capture"
read -r capture_packets capture_ip_packets capture_flows capture_evicted < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["packets"], s["ip_packets"], s["flows"]["total"], s["flows"]["evicted"])' \
  "$tmp/summary.json")
((capture_packets > 0)) || die "$capture holds no packets"
read_loop_packets=$("$pcap_read_loop_bin" "$capture" | awk '/^total:/ {print $3}')
[[ "$read_loop_packets" == "$capture_packets" ]] ||
  die "pcap_read_loop counts $read_loop_packets packets, camwatch $capture_packets"

# --- what is timed -------------------------------------------------------------------------------
# One line per tool id in $tmp/tools.tsv: id, label, command (as typed, outputs in a temp dir),
# what it does. The command arrays live in cmd_<n>.
tool_ids=()
add_tool() {  # add_tool ID LABEL WHAT COMMAND...
  local id=$1 label=$2 what=$3
  shift 3
  local n=${#tool_ids[@]}
  tool_ids+=("$id")
  eval "cmd_$n=(\"\$@\")"
  local shown="$*"
  shown=${shown//"$tmp"/TMP}
  shown=${shown//"$repo_dir/"/}
  shown=${shown//"$build_dir"/BUILD}
  printf '%s\t%s\t%s\t%s\n' "$id" "$label" "$shown" "$what" >>"$tmp/tools.tsv"
}
wanted() { word_in "$tools_wanted" "$1"; }
tshark_version=$("$tshark_bin" --version 2>/dev/null | grep -o -m1 '[0-9][0-9.]*[0-9]' | head -n 1 || true)
ndpi_version=$("$ndpi_reader_bin" -h 2>&1 | awk '/nDPI/ {print $NF; exit}' || true)
for n in $worker_counts; do
  wanted camwatch-example && add_tool "camwatch-example-w$n" \
    "camwatch replay -c example --workers $n" \
    "example config: policy, alerts, inventory, GeoIP (data/geoip), nDPI DPI; summary to stdout" \
    "$camwatch_bin" replay -c "$example_config" --workers "$n" "$capture"
done
for n in $worker_counts; do
  wanted camwatch-forensic && add_tool "camwatch-forensic-w$n" \
    "camwatch forensic, --workers $n" \
    "example config writing --flows, --alerts, --summary, --destinations (CSV), --report (HTML)" \
    "$camwatch_bin" replay -c "$example_config" --workers "$n" --flows "$tmp/flows.jsonl" \
    --alerts "$tmp/alerts.jsonl" --summary "$tmp/summary-out.json" \
    --destinations "$tmp/destinations.csv" --report "$tmp/report.html" "$capture"
done
for n in $worker_counts; do
  wanted camwatch-nodpi && add_tool "camwatch-nodpi-w$n" \
    "camwatch, dpi.enabled: false, --workers $n" \
    "example config without DPI: flow tracking, policy, GeoIP" \
    "$camwatch_bin" replay -c "$tmp/nodpi.yaml" --workers "$n" "$capture"
done
wanted ndpiReader && add_tool ndpiReader "ndpiReader -q" \
  "nDPI ${ndpi_version:-?}: read + decode + flow table + DPI on every flow, 1 thread" \
  "$ndpi_reader_bin" -i "$capture" -q
wanted tshark && add_tool tshark "tshark -q -z conv,ip" \
  "Wireshark ${tshark_version:-?}: full dissection, a conversation table per IP pair, 1 thread" \
  "$tshark_bin" -q -z conv,ip -r "$capture"
wanted parse_hash_loop && add_tool parse_hash_loop parse_hash_loop \
  "read + camwatch decode + 5-tuple std::unordered_map, 1 thread (floor)" \
  "$parse_hash_loop_bin" "$capture"
wanted pcap_read_loop && add_tool pcap_read_loop pcap_read_loop \
  "libpcap read only (floor)" "$pcap_read_loop_bin" "$capture"
((${#tool_ids[@]} > 0)) || die "no tool to time"

# measure N: one run of tool number N; appends "wall_ns peak_rss_kib user_s sys_s" to its file.
measure() {
  local n=$1 id=${tool_ids[$1]} start end
  local -n cmd="cmd_$n"
  start=$(date +%s%N)
  if ! "$gnu_time" -f '%M %U %S' -o "$tmp/time.out" "${cmd[@]}" >/dev/null 2>"$tmp/$id.stderr"; then
    tail -n 20 "$tmp/$id.stderr" >&2
    die "$id failed: ${cmd[*]}"
  fi
  end=$(date +%s%N)
  echo "$((end - start)) $(tail -n 1 "$tmp/time.out")" >>"$tmp/runs/$id"
}

mkdir -p "$tmp/runs"
echo "$bench_name: timing ${tool_ids[*]}: $runs run(s) each, interleaved ..." >&2
for ((run = 1; run <= runs; ++run)); do
  for ((n = 0; n < ${#tool_ids[@]}; ++n)); do measure "$n"; done
  echo "$bench_name: run $run of $runs done" >&2
done
read_load

# --- results -------------------------------------------------------------------------------------
capture_bytes=$(stat -c %s "$capture")
capture_sha=$(sha256sum "$capture" | cut -c1-16)
result="${json_out:-$tmp/result.json}"
python3 "$script_dir/bench_results.py" collect-replay --tools "$tmp/tools.tsv" \
  --runs-dir "$tmp/runs" --out "$result" \
  --meta date="$run_date" commit="$run_commit" machine="$run_machine" load_start="$load_start" \
  load_end="$run_load" runs="$runs" capture="$capture" capture_note="$capture_note" \
  packets="$capture_packets" ip_packets="$capture_ip_packets" flows="$capture_flows" \
  evicted="$capture_evicted" capture_bytes="$capture_bytes" capture_sha256="$capture_sha"
python3 "$script_dir/bench_results.py" text "$result"
