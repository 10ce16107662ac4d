#!/usr/bin/env bash
# live_bench.sh: the reproducible live-capture benchmark (bench/README.md, "Live capture benchmark").
#
# Finds the highest packet rate each capture tool sustains with zero drops on this machine, over a
# veth pair between two network namespaces that the script makes itself (and deletes on exit,
# Ctrl-C included): the sender end in namespace "tx", the receiver end in namespace "rx". No
# traffic goes anywhere else: the namespaces have no addresses, no routes and IPv6 is off in them,
# so the only packets on the pair are the ones tcpreplay sends.
#
# For every rate (tcpreplay --pps, or --topspeed for "top") and every tool it starts the tool on
# the receiver end inside ns rx, waits until it is ready, sends the capture for --duration seconds
# with `tcpreplay --loop=0 --duration=S --preload-pcap`, waits --settle seconds, reads the tool's
# CPU time, stops it and reads its counters:
#
#   camwatch    `camwatch run -c CONFIG --interface IFACE --metrics 127.0.0.1:PORT` (inside ns rx,
#               so the port is on that namespace's loopback) with a config written to the temp dir:
#               DPI (classification) on, the policy of config/camwatch.example.yaml (default deny
#               + vendor-cloud catalog), capture.workers = --workers, a jsonl alert sink, spool in
#               the temp dir, learning off. Ready: /metrics answers. Just before stopping it the
#               script scrapes /metrics: received = sum of camwatch_worker_packets_total (packets
#               the workers read), dropped = sum of camwatch_capture_dropped_packets_total (pcap
#               ps_drop: the kernel ring was full), queued = sum of
#               camwatch_capture_received_packets_total (ps_recv, which includes ps_drop on Linux)
#               - dropped - received. Workers publish these counters as their loops turn, so a
#               worker that is far behind reports late. Stopped with SIGTERM; it reads what is left
#               in its ring before it exits, and its last log line ("stopped after N s: P packets,
#               D dropped") is shown in the progress output.
#   tcpdump     `tcpdump -i IFACE -w /dev/null -n -B 65536` (a 64 MiB ring, like camwatch's
#               capture.buffer_size). Ready: "listening on" on stderr. Stopped with SIGINT; at exit
#               it prints "N packets captured" (= received), "M packets dropped by kernel" (pcap
#               ps_drop = dropped) and "K packets received by filter" (ps_recv; queued = K - M - N).
#   ndpiReader  `ndpiReader -i IFACE` (nDPI 4.2, Debian libndpi-bin; one thread, libpcap's default
#               2 MiB ring: it has no buffer option). Ready: a packet socket bound to IFACE shows
#               in ns rx's /proc/net/packet (plus 1 s for nDPI's setup). Stopped with SIGINT, after
#               which it prints its report; received = "Y" of "IP packets: X of Y packets total".
#               ndpiReader 4.2 never prints pcap_stats, so its dropped = arrived - received (see
#               below), i.e. what reached the interface but not ndpiReader. -s SECONDS is not used:
#               SIGINT stops it just as cleanly and at a moment the script chooses.
#
# For every step, whatever the tool:
#   offered pps  the rate tcpreplay reports it achieved ("Rated: ... pps"; with --senders N, the
#                sum over the N tcpreplay processes, each offered RATE/N)
#   sent         tcpreplay's "Successful packets" (summed over the senders)
#   arrived      the receiver end's rx_packets counter over the step (what the veth delivered to
#                the receiving namespace; sent - arrived were lost before any capture socket,
#                e.g. in the kernel's backlog queue when the receiving CPU is saturated)
#   queued       packets still in the tool's ring when it was stopped, --settle s after the sender
#                ended: the tool fell behind (ndpiReader: unknown, counted in dropped)
#   lost %       (sent - received) / sent: every packet the tool did not process, for any reason
#   CPU s        utime + stime of the tool (all threads) from /proc/PID/stat, from "ready" to just
#                before stopping it: the work for the packets plus whatever it burns while idle
#   CPU s/Mpkt   CPU s / (received / 10^6)
#   residue      arrived - (received + dropped + queued): frames the veth delivered that the tool's
#                own counters do not account for (should be 0). camwatch: arrived - (P + D) with
#                P the packets its workers read in all (its exit line, ring drained) and D the
#                ring drops (/metrics), and the exit line's P must equal to flows + not IP +
#                malformed + fragments without their first (a mismatch is printed); tcpdump:
#                arrived - ps_recv ("received by filter"); ndpiReader: "-" (it reports no counts
#                of its own beyond the IP packets, so its dropped is arrived - received).
# A rate counts as zero-drop for a tool when received == sent in every run (nothing lost anywhere,
# not even before the capture socket). Drops do not make the script fail; setup failures do.
#
# The capture is camwatch-testgen's `bench` scenario (a realistic mix of DNS pairs, short TLS
# sessions, syslog datagrams and long TLS flows, 10% IPv6, 90% VLAN-tagged, mostly small frames),
# looped by tcpreplay: after the first loop the same flows repeat, so DPI work per packet is lower
# than on never-seen traffic. Raise --packets to repeat less. Its servers are in 198.18.0.0/15 and
# 2001:db8::/32, which camwatch rightly counts as reserved, not egress: the policy is on but no
# flow is egress and no alert fires. --egress rewrites the IPv4 servers into 52.0.0.0/15 (public)
# with tcprewrite, so that nearly every flow is disallowed egress and raises an alert: an alert
# flood far beyond a real site's, which measures the alert path as much as the capture.
#
# Needs: root, iproute2 (ip netns), tcpreplay, the tools under test, curl (camwatch's metrics),
# a Release build with camwatch and camwatch-testgen.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$script_dir/.." && pwd)
build_dir="$repo_dir/build/release"
rates="50k 100k 150k 200k 300k 400k 500k top"
duration=5
settle=2
packets=200000
flows=60000
tools_list="camwatch tcpdump ndpiReader"
senders=1
perf_dir=""
workers=2
runs=1
metrics_port=9108
capture=""
keep=0
egress=0

usage() {
  cat <<EOF
usage: $(basename "$0") [--build-dir DIR] [--rates "R..."] [--duration S] [--packets N]
                      [--flows M] [--tools "T..."] [--workers W] [--runs R] [--settle S]
                      [--port P] [--capture FILE] [--senders N] [--perf DIR] [--egress]
                      [--keep]

  --build-dir DIR   Release build directory (default: $build_dir)
  --rates "R..."    packet rates to offer: N, Nk or NM packets/s, or "top" for tcpreplay
                    --topspeed (default: "$rates")
  --duration S      seconds tcpreplay sends at each step (default: $duration)
  --packets N       packets in the generated capture, looped as needed (default: $packets)
  --flows M         flows in the generated capture (default: $flows)
  --tools "T..."    any of camwatch tcpdump ndpiReader (default: "$tools_list")
  --workers W       camwatch capture.workers (default: $workers)
  --runs R          runs per tool and rate; the table shows the median run (default: $runs)
  --settle S        seconds to wait after tcpreplay ends before stopping the tool (default: $settle)
  --port P          camwatch metrics port, on ns rx's loopback (default: $metrics_port)
  --capture FILE    send an existing capture instead of generating one
  --senders N       N tcpreplay processes send at once into the same veth, each RATE/N pps (or
                    --topspeed): the rate column is the total (default: $senders)
  --perf DIR        profile camwatch while the senders send: perf record -e cpu-clock -F 500
                    --call-graph dwarf,16384 attached to its pid, one DIR/camwatch-RATE-RUN.perf
                    per step (its CPU figures then include perf's sampling cost)
  --egress          rewrite the servers from 198.18.0.0/15 (reserved for benchmarking: not
                    egress to camwatch) into public 52.0.0.0/15 with tcprewrite, so that the
                    policy judges every IPv4 flow as egress and nearly every flow raises an alert
  --keep            keep the temp dir (tool logs, camwatch config, raw results)

Needs root. The generated capture is cached in DIR/bench-data/ and reused when the parameters
match. Exits non-zero on a setup failure, not on drops.
EOF
}

die() {
  echo "live_bench.sh: $*" >&2
  exit 1
}

is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }

while (($# > 0)); do
  case "$1" in
    --build-dir | --rates | --duration | --packets | --flows | --tools | --workers | --runs | \
      --settle | --port | --capture | --senders | --perf)
      (($# >= 2)) || die "$1 needs a value (see --help)"
      case "$1" in
        --build-dir) build_dir=$2 ;;
        --rates) rates=$2 ;;
        --duration) duration=$2 ;;
        --packets) packets=$2 ;;
        --flows) flows=$2 ;;
        --tools) tools_list=$2 ;;
        --workers) workers=$2 ;;
        --runs) runs=$2 ;;
        --settle) settle=$2 ;;
        --port) metrics_port=$2 ;;
        --capture) capture=$2 ;;
        --senders) senders=$2 ;;
        --perf) perf_dir=$2 ;;
      esac
      shift 2
      ;;
    --keep)
      keep=1
      shift
      ;;
    --egress)
      egress=1
      shift
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
for option in duration packets flows workers runs settle metrics_port senders; do
  is_count "${!option}" || die "--${option/metrics_/} must be a positive integer, got '${!option}'"
done

# Rates: "50k" -> 50000, "1M" -> 1000000, "top" stays "top".
rate_list=()
for rate in $rates; do
  case "$rate" in
    top) rate_list+=(top) ;;
    *[kK]) is_count "${rate%[kK]}" || die "bad rate '$rate'"; rate_list+=($((${rate%[kK]} * 1000))) ;;
    *[mM]) is_count "${rate%[mM]}" || die "bad rate '$rate'"; rate_list+=($((${rate%[mM]} * 1000000))) ;;
    *) is_count "$rate" || die "bad rate '$rate'"; rate_list+=("$rate") ;;
  esac
done
((${#rate_list[@]} > 0)) || die "--rates is empty"
read -r -a tools <<<"$tools_list"
((${#tools[@]} > 0)) || die "--tools is empty"
for tool in "${tools[@]}"; do
  case "$tool" in
    camwatch | tcpdump | ndpiReader) ;;
    *) die "unknown tool '$tool' (camwatch, tcpdump, ndpiReader)" ;;
  esac
done

(($(id -u) == 0)) || die "needs root: creates network namespaces and captures on a veth pair"
command -v ip >/dev/null || die "ip (iproute2) is not installed (apt-get install -y iproute2)"
ip netns list >/dev/null 2>&1 || die "'ip netns' does not work here"
command -v tcpreplay >/dev/null || die "tcpreplay is not installed (apt-get install -y tcpreplay)"
[[ -d "$build_dir" ]] || die "build directory $build_dir does not exist; configure it with
  cmake --preset release && cmake --build --preset release --target camwatch camwatch-testgen"
build_dir=$(cd "$build_dir" && pwd)
camwatch_bin="$build_dir/daemon/camwatch"
testgen_bin="$build_dir/tests/tools/camwatch-testgen"
for tool in "${tools[@]}"; do
  case "$tool" in
    camwatch)
      [[ -x "$camwatch_bin" ]] || die "$camwatch_bin is missing: build the target camwatch"
      run_help=$("$camwatch_bin" run --help 2>&1 || true)
      [[ "$run_help" == *--interface* ]] ||
        die "$camwatch_bin run has no --interface option: this build predates the live sensor
  (drop camwatch from --tools)"
      command -v curl >/dev/null || die "curl is not installed (apt-get install -y curl)"
      ;;
    tcpdump) command -v tcpdump >/dev/null || die "tcpdump is not installed (apt-get install -y tcpdump)" ;;
    ndpiReader) command -v ndpiReader >/dev/null || die "ndpiReader is not installed (apt-get install -y libndpi-bin)" ;;
  esac
done
clk_tck=$(getconf CLK_TCK)

# --- temp dir, namespaces, cleanup ---------------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/live_bench.XXXXXX")
ns_rx="cwlb-rx-$$"
ns_tx="cwlb-tx-$$"
if_rx="cwlbr$$"
if_tx="cwlbs$$"
tool_pid=""
made_rx=0
made_tx=0

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$tool_pid" ]] && kill -0 "$tool_pid" 2>/dev/null; then
    kill -TERM "$tool_pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$tool_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$tool_pid" 2>/dev/null || true
    wait "$tool_pid" 2>/dev/null || true
  fi
  # Deleting a namespace deletes its end of the veth pair, and with it the pair.
  ((made_tx)) && ip netns del "$ns_tx" 2>/dev/null
  ((made_rx)) && ip netns del "$ns_rx" 2>/dev/null
  if ((keep)); then
    echo "kept $tmp" >&2
  else
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

((${#if_rx} < 16)) || die "interface name $if_rx is too long"
ip netns add "$ns_tx" || die "cannot create namespace $ns_tx"
made_tx=1
ip netns add "$ns_rx" || die "cannot create namespace $ns_rx"
made_rx=1
for ns in "$ns_tx" "$ns_rx"; do
  # No IPv6 (router solicitations, MLD) and no addresses: the only packets are tcpreplay's.
  ip netns exec "$ns" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6;
    echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6' 2>/dev/null || true
  ip -n "$ns" link set lo up || die "cannot bring up lo in $ns"
done
ip -n "$ns_tx" link add "$if_tx" type veth peer name "$if_rx" netns "$ns_rx" ||
  die "cannot create the veth pair"
# A large MTU so that full-size VLAN-tagged frames (1518 bytes) pass the veth.
ip -n "$ns_tx" link set "$if_tx" mtu 9000 up || die "cannot bring up $if_tx"
ip -n "$ns_rx" link set "$if_rx" mtu 9000 up || die "cannot bring up $if_rx"
if_rx_index=$(ip netns exec "$ns_rx" cat "/sys/class/net/$if_rx/ifindex")

# --- capture -------------------------------------------------------------------------------------
if [[ -n "$capture" ]]; then
  [[ -r "$capture" ]] || die "cannot read capture $capture"
  capture_note="given with --capture"
else
  [[ -x "$testgen_bin" ]] || die "$testgen_bin is missing: build the target camwatch-testgen"
  cache_dir="$build_dir/bench-data"
  capture="$cache_dir/bench-p$packets-f$flows.pcap"
  capture_note="camwatch-testgen bench --packets $packets --flows $flows"
  if [[ -s "$capture" ]]; then
    capture_note+=" (cached; delete the file to regenerate)"
  else
    mkdir -p "$cache_dir"
    echo "generating $capture ..." >&2
    partial="$capture.partial.$$"
    if ! "$testgen_bin" bench "$partial" --packets "$packets" --flows "$flows" \
      >"$tmp/testgen.log" 2>&1; then
      rm -f "$partial"
      cat "$tmp/testgen.log" >&2
      die "camwatch-testgen failed"
    fi
    mv "$partial" "$capture"
  fi
fi
if ((egress)); then
  command -v tcprewrite >/dev/null || die "tcprewrite is not installed (apt-get install -y tcpreplay)"
  # The packets never leave the namespaces; the addresses only make camwatch see egress.
  tcprewrite --pnat=198.18.0.0/15:52.0.0.0/15 --fixcsum -i "$capture" -o "$tmp/egress.pcap" \
    >"$tmp/tcprewrite.log" 2>&1 || {
    tail -n 20 "$tmp/tcprewrite.log" >&2
    die "tcprewrite failed"
  }
  capture="$tmp/egress.pcap"
  capture_note+="; --egress: servers 198.18.0.0/15 rewritten to 52.0.0.0/15"
fi
capture_bytes=$(stat -c %s "$capture")

# --- camwatch config -----------------------------------------------------------------------------
write_camwatch_config() {  # write_camwatch_config DIR: a fresh state dir for every step
  local dir=$1
  mkdir -p "$dir/spool"
  cat >"$dir/camwatch.yaml" <<EOF
# Written by bench/live_bench.sh: the example config's classification and policy, state in the
# temp dir. GeoIP is on when $repo_dir/data/geoip holds the databases (scripts/fetch-geoip.sh).
sensor:
  name: live-bench
capture:
  interfaces: [$if_rx]
  buffer_size: 64MiB
  promiscuous: true
  workers: $workers
dpi:
  enabled: true
  protocols_file: $repo_dir/config/camera-clouds.protos
geoip:
  country_db: $repo_dir/data/geoip/country.mmdb
  asn_db: $repo_dir/data/geoip/asn.mmdb
inventory:
  oui_file: $repo_dir/config/camera-oui.csv
policy:
  default:
    default_action: deny
    default_severity: warning
    vendor_cloud_catalog: true
    rules:
      - name: time-sync
        action: allow
        protocols: [NTP]
        ports: [udp/123]
learning:
  mode: off
alerts:
  spool_dir: $dir/spool
  drain_timeout: 5s
  sinks:
    - type: jsonl
      path: $dir/alerts.jsonl
metrics:
  enabled: true
  listen: 127.0.0.1:$metrics_port
logging:
  level: info
EOF
}

# --- one step ------------------------------------------------------------------------------------
rx_packets() { ip netns exec "$ns_rx" cat "/sys/class/net/$if_rx/statistics/rx_packets"; }
cpu_ticks() {  # utime + stime of PID in clock ticks (fields 14 and 15; the name may hold spaces)
  sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{print $12 + $13}'
}
scrape() { ip netns exec "$ns_rx" curl -fsS --max-time 2 "http://127.0.0.1:$metrics_port/metrics"; }
metric_sum() {  # metric_sum FILE NAME: sum over every label set
  awk -v name="$2" '$1 == name || index($1, name "{") == 1 {s += $NF; n++}
    END {if (n) printf "%.0f", s; else print "NA"}' "$1"
}

start_tool() {  # start_tool TOOL LOGPREFIX: sets tool_pid
  local tool=$1 log=$2
  case "$tool" in
    camwatch)
      # No spool or alert state carried over from the step before.
      write_camwatch_config "$log.camwatch"
      ip netns exec "$ns_rx" "$camwatch_bin" run -c "$log.camwatch/camwatch.yaml" \
        --interface "$if_rx" --metrics "127.0.0.1:$metrics_port" >"$log.out" 2>"$log.err" &
      ;;
    tcpdump)
      ip netns exec "$ns_rx" tcpdump -i "$if_rx" -w /dev/null -n -B 65536 >"$log.out" 2>"$log.err" &
      ;;
    ndpiReader)
      ip netns exec "$ns_rx" ndpiReader -i "$if_rx" >"$log.out" 2>"$log.err" &
      ;;
  esac
  tool_pid=$!  # `ip netns exec` execs the tool: this is the tool's own pid
}

wait_ready() {  # wait_ready TOOL LOGPREFIX: up to 30 s
  local tool=$1 log=$2 i
  for ((i = 0; i < 300; ++i)); do
    kill -0 "$tool_pid" 2>/dev/null || {
      tail -n 20 "$log.err" "$log.out" >&2
      die "$tool exited before it was ready"
    }
    case "$tool" in
      camwatch) scrape >/dev/null 2>&1 && return 0 ;;
      tcpdump) grep -q 'listening on' "$log.err" && return 0 ;;
      ndpiReader)
        # shellcheck disable=SC2016 # awk's own $5
        if ip netns exec "$ns_rx" awk -v ifx="$if_rx_index" '$5 == ifx {f = 1} END {exit !f}' \
          /proc/net/packet; then
          sleep 1
          return 0
        fi
        ;;
    esac
    sleep 0.1
  done
  die "$tool was not ready after 30 s (logs: $log.err)"
}

stop_tool() {  # stop_tool TOOL: signal, then wait up to 120 s (camwatch drains its ring first)
  local tool=$1 signal=INT i
  [[ "$tool" == camwatch ]] && signal=TERM
  kill "-$signal" "$tool_pid"
  for ((i = 0; i < 1200; ++i)); do
    kill -0 "$tool_pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$tool_pid" 2>/dev/null; then
    kill -KILL "$tool_pid" 2>/dev/null || true
    wait "$tool_pid" 2>/dev/null || true
    tool_pid=""
    die "$tool did not exit within 120 s of SIG$signal"
  fi
  wait "$tool_pid" || echo "live_bench.sh: warning: $tool exited with status $?" >&2
  tool_pid=""
}

# send_capture RATE LOG: --senders tcpreplay processes at once into the veth, RATE/senders pps
# each (or --topspeed); their outputs in LOG.tcpreplay.N
send_capture() {
  local rate=$1 log=$2 i failed=0
  local pace=(--topspeed)
  [[ "$rate" == top ]] || pace=(--pps="$((rate / senders))")
  local pids=()
  for ((i = 1; i <= senders; ++i)); do
    ip netns exec "$ns_tx" tcpreplay -i "$if_tx" --preload-pcap --no-flow-stats --loop=0 \
      --duration="$duration" "${pace[@]}" "$capture" >"$log.tcpreplay.$i" 2>"$log.tcpreplay.$i.err" &
    pids+=($!)
  done
  for ((i = 1; i <= senders; ++i)); do
    if ! wait "${pids[i - 1]}"; then
      tail -n 20 "$log.tcpreplay.$i" "$log.tcpreplay.$i.err" >&2
      failed=1
    fi
  done
  ((failed == 0)) || die "tcpreplay failed"
}

# run_step TOOL RATE RUN: appends one line to $tmp/results:
#   tool rate run offered_pps sent arrived received dropped cpu_seconds queued residue
run_step() {
  local tool=$1 rate=$2 run=$3
  local log="$tmp/$tool-$rate-$run"
  local rx0 rx1 cpu0 cpu1 offered sent received dropped arrived cpu note="" queued=- residue=-
  rx0=$(rx_packets)
  start_tool "$tool" "$log"
  wait_ready "$tool" "$log"
  cpu0=$(cpu_ticks "$tool_pid")
  local perf_pid=""
  if [[ -n "$perf_dir" && "$tool" == camwatch ]]; then
    mkdir -p "$perf_dir"
    perf record -e cpu-clock -F 500 --call-graph dwarf,16384 -p "$tool_pid" \
      -o "$perf_dir/$tool-$rate-$run.perf" >"$log.perf.log" 2>&1 &
    perf_pid=$!
  fi
  send_capture "$rate" "$log"
  if [[ -n "$perf_pid" ]]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" || true
  fi
  sleep "$settle"
  if ! kill -0 "$tool_pid" 2>/dev/null; then
    wait "$tool_pid" || true
    tool_pid=""
    tail -n 20 "$log.err" "$log.out" >&2
    die "$tool exited during the $rate pps step"
  fi
  cpu1=$(cpu_ticks "$tool_pid")
  if [[ "$tool" == camwatch ]]; then
    scrape >"$log.metrics" || die "could not scrape camwatch's /metrics before stopping it"
  fi
  stop_tool "$tool"
  rx1=$(rx_packets)
  arrived=$((rx1 - rx0))
  # Each sender's last "Rated:" and "Successful packets:" lines, summed.
  offered=$(for ((i = 1; i <= senders; ++i)); do
    awk '/Rated:/ {for (i = 1; i <= NF; ++i) if ($i == "pps") r = $(i - 1)} END {print r}' \
      "$log.tcpreplay.$i"
  done | awk 'NF {s += $1; n++} END {if (n) printf "%.2f", s}')
  sent=$(for ((i = 1; i <= senders; ++i)); do
    awk '/Successful packets:/ {p = $3} END {print p}' "$log.tcpreplay.$i"
  done | awk 'NF {s += $1; n++} END {if (n) print s}')
  [[ -n "$offered" && -n "$sent" ]] || die "cannot read tcpreplay's output ($log.tcpreplay.*)"
  case "$tool" in
    camwatch)
      received=$(metric_sum "$log.metrics" camwatch_worker_packets_total)
      dropped=$(metric_sum "$log.metrics" camwatch_capture_dropped_packets_total)
      [[ "$received" != NA && "$dropped" != NA ]] ||
        die "camwatch's /metrics lacks camwatch_worker_packets_total or camwatch_capture_dropped_packets_total"
      queued=$(($(metric_sum "$log.metrics" camwatch_capture_received_packets_total) - dropped - received))
      note=", alerts raised $(metric_sum "$log.metrics" camwatch_alert_raises_total) by then"
      # Its last log line: what it processed in all, the ring drained after SIGTERM included,
      # and where each packet went.
      local exit_line
      exit_line=$(grep -o 'stopped after [0-9]* s: .*' "$log.err" | tail -n 1 || true)
      note+="; at exit: ${exit_line:-no exit line}"
      local total_read to_flows not_ip malformed unmatched
      read -r total_read to_flows not_ip malformed unmatched < <(awk '{
          for (i = 1; i <= NF; ++i) {
            if ($(i + 1) == "packets,") p = $i
            if ($(i + 1) == "to" && $(i + 2) == "flows,") f = substr($i, 2)
            if ($(i + 1) == "not" && $(i + 2) == "IP,") n = $i
            if ($(i + 1) == "malformed,") m = $i
            if ($(i + 1) == "fragments" && $(i + 2) == "without") u = $i
          }
          print p, f, n, m, u}' <<<"$exit_line")
      if [[ -n "$unmatched" ]]; then
        residue=$((arrived - total_read - dropped))
        ((total_read == to_flows + not_ip + malformed + unmatched)) ||
          note+="; MISMATCH: $total_read packets != $to_flows + $not_ip + $malformed + $unmatched"
      else
        # An older camwatch without the breakdown: the sockets' own count instead.
        residue=$((arrived - received - dropped - queued))
      fi
      ;;
    tcpdump)
      received=$(awk '/packets captured/ {print $1}' "$log.err")
      dropped=$(awk '/packets dropped by kernel/ {print $1}' "$log.err")
      [[ -n "$received" && -n "$dropped" ]] || die "cannot read tcpdump's statistics ($log.err)"
      queued=$(($(awk '/packets received by filter/ {print $1}' "$log.err") - dropped - received))
      residue=$((arrived - received - dropped - queued))
      ;;
    ndpiReader)
      # No "packets total" line at all when it saw nothing.
      received=$(awk '/IP packets:.*packets total/ {print $5}' "$log.out" | tail -n 1)
      received=${received:-0}
      dropped=$((arrived > received ? arrived - received : 0))
      ;;
  esac
  cpu=$(awk -v a="$cpu0" -v b="$cpu1" -v t="$clk_tck" 'BEGIN {printf "%.2f", (b - a) / t}')
  echo "$tool $rate $run $offered $sent $arrived $received $dropped $cpu $queued $residue" >>"$tmp/results"
  printf '  %-10s %-6s run %d: offered %s pps, sent %s, arrived %s, received %s, dropped %s, queued %s, residue %s, CPU %s s%s\n' \
    "$tool" "$rate" "$run" "$offered" "$sent" "$arrived" "$received" "$dropped" "$queued" \
    "$residue" "$cpu" "$note" >&2
}

# --- run -----------------------------------------------------------------------------------------
echo "live_bench: ${tools[*]} at ${rate_list[*]} pps, ${duration} s each, $runs run(s)," \
  "capture $capture" >&2
: >"$tmp/results"
for ((run = 1; run <= runs; ++run)); do
  for rate in "${rate_list[@]}"; do
    for tool in "${tools[@]}"; do
      run_step "$tool" "$rate" "$run"
      sleep 1
    done
  done
done

# --- report --------------------------------------------------------------------------------------
cores=$(nproc 2>/dev/null || echo '?')
cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
echo
echo "camwatch live capture benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine:  $cores cores${cpu_model:+, $cpu_model}, $(uname -sr)"
echo "load:     $load (1/5/15 min, at the end; other work on the machine skews the figures)"
echo "capture:  $capture, $((capture_bytes / 1048576)) MiB"
echo "          $capture_note"
echo "method:   veth pair between two namespaces; tcpreplay --preload-pcap --loop=0" \
  "--duration=$duration --pps=RATE (or --topspeed) from ns tx; the tool captures in ns rx"
echo "senders:  $senders tcpreplay process(es) at once into the same veth, RATE/$senders pps each"
echo "          $runs run(s) per tool and rate; the row shown is the median run by packets lost"
if [[ " ${tools[*]} " == *" camwatch "* ]]; then
  geo="off (no $repo_dir/data/geoip/*.mmdb)"
  [[ -r "$repo_dir/data/geoip/country.mmdb" ]] && geo=on
  echo "camwatch: run, capture.workers $workers, DPI + policy on, jsonl alert sink, GeoIP $geo"
  if ((egress)); then
    echo "          --egress: IPv4 servers public, so the policy judges egress and alerts fire"
  else
    echo "          servers in 198.18.0.0/15 / 2001:db8::/32 (reserved): no egress, no alerts;"
    echo "          --egress makes the IPv4 servers public"
  fi
fi
echo
echo "offered = tcpreplay's achieved pps; sent = its successful packets; arrived = veth rx counter;"
echo "received = packets the tool processed; dropped = kernel ring drops the tool reports"
echo "(ndpiReader: arrived - received); queued = still in the tool's ring when it was stopped,"
echo "--settle s after the sender ended: it fell behind (ndpiReader: counted in dropped);"
echo "lost % = (sent - received) / sent; residue = arrived - (received + dropped + queued), from"
echo "the tool's final counts (camwatch: its exit line; ndpiReader: -): unaccounted frames, should be 0;"
echo "CPU = the tool's utime+stime from ready to stop; CPU s/Mpkt = CPU / received Mpackets"
for tool in "${tools[@]}"; do
  echo
  echo "$tool"
  printf '  %-6s %10s %10s %10s %10s %9s %8s %8s %8s %7s %11s\n' rate "offered" sent arrived \
    received dropped queued residue "lost %" "CPU s" "CPU s/Mpkt"
  best="none"
  best_pps=0
  for rate in "${rate_list[@]}"; do
    # The median run by packets lost (sent - received), ties broken by CPU.
    row=$(awk -v t="$tool" -v r="$rate" '$1 == t && $2 == r {print $5 - $7, $9, $0}' \
      "$tmp/results" | sort -n -k1,1 -k2,2 | awk '{l[NR] = $0} END {print l[int((NR + 1) / 2)]}')
    [[ -n "$row" ]] || continue
    read -r _ _ _ _ _ offered sent arrived received dropped cpu queued residue <<<"$row"
    printf '  %-6s %10.0f %10s %10s %10s %9s %8s %8s %8s %7s %11s\n' "$rate" "$offered" "$sent" \
      "$arrived" "$received" "$dropped" "$queued" "$residue" \
      "$(awk -v s="$sent" -v r="$received" 'BEGIN {printf "%.2f", (s > 0 ? (s - r) * 100 / s : 0)}')" \
      "$cpu" \
      "$(awk -v c="$cpu" -v r="$received" 'BEGIN {if (r > 0) printf "%.2f", c * 1e6 / r; else print "-"}')"
    # Zero-drop: every run received every packet sent and the tool reported no drop.
    # The highest is by offered rate, so that "top" ranks by what tcpreplay reached.
    if awk -v t="$tool" -v r="$rate" '$1 == t && $2 == r && ($7 < $5 || $8 > 0) {bad = 1}
      END {exit bad}' "$tmp/results" &&
      awk -v o="$offered" -v b="$best_pps" 'BEGIN {exit !(o > b)}'; then
      best_pps=$offered
      best="$rate"
      [[ "$rate" == top ]] && best="top"
      best+=" (offered $(printf '%.0f' "$offered") pps)"
    fi
  done
  echo "  highest zero-drop rate: $best"
done
