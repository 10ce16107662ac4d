#!/usr/bin/env bash
# live_bench_matrix.sh: issue 17's live table in one command (bench/README.md, "Live capture
# benchmark"): live_bench.sh for camwatch (example policy, DPI on), tcpdump -w /dev/null and
# ndpiReader -i on
#   1. the synthetic bench capture, one tcpreplay;
#   2. the synthetic bench capture, two tcpreplay processes into the same veth;
#   3. real-bench.pcap (--capture), one tcpreplay;
#   4. real-bench.pcap, two tcpreplay processes.
# Every table has the rate reached, CPU seconds per million packets, drops and the accounting
# residue per tool; the last lines put camwatch's CPU s/Mpkt next to tcpdump's at the top rate.
# Options not listed below go to every live_bench.sh run unchanged (e.g. --workers, --duration).
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
real=/work/real-bench/real-bench.pcap
rates="100k top"
runs=3
out=""
pass=()

usage() {
  cat <<EOF
usage: $(basename "$0") [--real FILE] [--rates "R..."] [--runs R] [--out DIR] [live_bench.sh options]

  --real FILE     the real-traffic capture (default: $real; skipped with a note when missing)
  --rates "R..."  rates for every run (default: "$rates")
  --runs R        runs per tool and rate, median shown (default: $runs)
  --out DIR       keep each run's full output in DIR (default: a temp dir, printed)
EOF
}

while (($# > 0)); do
  case "$1" in
    --real) real=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) pass+=("$1"); shift ;;
  esac
done
[[ -n "$out" ]] || out=$(mktemp -d "${TMPDIR:-/tmp}/live_bench_matrix.XXXXXX")
mkdir -p "$out"

cases=("synthetic-1:--senders 1" "synthetic-2:--senders 2")
if [[ -r "$real" ]]; then
  cases+=("real-1:--senders 1 --capture $real" "real-2:--senders 2 --capture $real")
else
  echo "live_bench_matrix.sh: $real is not readable: real-traffic runs skipped" >&2
fi

echo "live_bench_matrix: rates $rates, $runs run(s) each; outputs in $out" >&2
for case in "${cases[@]}"; do
  name=${case%%:*}
  read -r -a extra <<<"${case#*:}"
  echo "== $name: live_bench.sh ${extra[*]} --rates \"$rates\" --runs $runs ${pass[*]}" >&2
  "$script_dir/live_bench.sh" "${extra[@]}" --rates "$rates" --runs "$runs" "${pass[@]}" \
    >"$out/$name.txt" 2>"$out/$name.log"
done

for case in "${cases[@]}"; do
  name=${case%%:*}
  echo
  echo "=================== $name ==================="
  cat "$out/$name.txt"
done

# camwatch / tcpdump CPU s/Mpkt per rate (the last column of each tool's rows).
echo
echo "camwatch CPU s/Mpkt / tcpdump CPU s/Mpkt (the issue's bar: at most 3x)"
for case in "${cases[@]}"; do
  name=${case%%:*}
  awk -v name="$name" '
    /^camwatch$/ {tool = "camwatch"; next}
    /^tcpdump$/ {tool = "tcpdump"; next}
    /^ndpiReader$/ {tool = "ndpiReader"; next}
    tool != "" && NF == 11 && $1 != "rate" {c[tool, $1] = $11; r[$1] = 1}
    END {
      for (rate in r) if ((("camwatch", rate) in c) && (("tcpdump", rate) in c) && c["tcpdump", rate] > 0)
        printf "  %-12s %-6s camwatch %6s  tcpdump %6s  ratio %5.2fx\n", name, rate,
          c["camwatch", rate], c["tcpdump", rate], c["camwatch", rate] / c["tcpdump", rate]
    }' "$out/$name.txt"
done
