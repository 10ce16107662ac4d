#!/usr/bin/env bash
# run_all.sh: one command for bench/README.md's current figures. Runs, one after the other,
#
#   replay_bench.sh  --capture CAPTURE --runs R   every peer on CAPTURE (issue 17's comparison)
#   replay_bench.sh  --flood 100000 --runs R      the one-camera flood
#   scaling_bench.sh --capture CAPTURE --runs R   1, 2 and 4 workers
#   memory_bench.sh                               bytes per flow at a million concurrent flows
#
# keeps their JSON results and printed tables in OUT (default build/release/bench-results/DATE),
# and rewrites the current-figures block of bench/README.md from them (unless --no-readme).
# Without --capture the synthetic bench capture is used; the README's figures are from
# real-bench.pcap (see the README for where it comes from).
set -euo pipefail

bench_name=run_all.sh
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(cd "$script_dir/.." && pwd)
build_dir="$repo_dir/build/release"
# shellcheck source=bench/bench_lib.sh
source "$script_dir/bench_lib.sh"

capture=""
runs=3
flood=100000
out=""
readme=1
steps="replay flood scaling memory"

usage() {
  cat <<EOF
usage: $(basename "$0") [--build-dir DIR] [--capture FILE] [--runs R] [--flood N] [--out DIR]
                        [--steps "replay flood scaling memory"] [--no-readme]

  --build-dir DIR  Release build directory (default: $build_dir)
  --capture FILE   capture for the replay and scaling steps (default: the synthetic bench one)
  --runs R         runs per tool (default: $runs)
  --flood N        flows of the flood step (default: $flood)
  --out DIR        where the results go (default: DIR/bench-results/<UTC date and time>)
  --steps "..."    which steps to run (default: all four); the README gets the ones run
  --no-readme      leave bench/README.md alone
EOF
}

while (($# > 0)); do
  case "$1" in
    --build-dir | --capture | --runs | --flood | --out | --steps)
      (($# >= 2)) || die "$1 needs a value (see --help)"
      case "$1" in
        --build-dir) build_dir=$2 ;;
        --capture) capture=$2 ;;
        --runs) runs=$2 ;;
        --flood) flood=$2 ;;
        --out) out=$2 ;;
        --steps) steps=$2 ;;
      esac
      shift 2
      ;;
    --no-readme)
      readme=0
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
build_dir=$(resolve_build_dir "$build_dir")
out=${out:-$build_dir/bench-results/$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
capture_args=()
[[ -z "$capture" ]] || capture_args=(--capture "$capture")

results=()
for step in $steps; do
  case "$step" in
    replay)
      "$script_dir/replay_bench.sh" --build-dir "$build_dir" "${capture_args[@]}" --runs "$runs" \
        --json "$out/replay.json" | tee "$out/replay.txt"
      ;;
    flood)
      "$script_dir/replay_bench.sh" --build-dir "$build_dir" --flood "$flood" --runs "$runs" \
        --json "$out/flood.json" | tee "$out/flood.txt"
      ;;
    scaling)
      "$script_dir/scaling_bench.sh" --build-dir "$build_dir" "${capture_args[@]}" --runs "$runs" \
        --json "$out/scaling.json" | tee "$out/scaling.txt"
      ;;
    memory)
      "$script_dir/memory_bench.sh" --build-dir "$build_dir" --json "$out/memory.json" |
        tee "$out/memory.txt"
      ;;
    *) die "unknown step '$step'" ;;
  esac
  results+=("$out/$step.json")
done

if ((readme)); then
  shown="bench/run_all.sh${capture:+ --capture $(basename "$capture")} --runs $runs"
  [[ "$flood" == 100000 ]] || shown+=" --flood $flood"
  python3 "$script_dir/bench_results.py" update-readme "$script_dir/README.md" \
    --command "$shown" "${results[@]}"
  echo "$bench_name: bench/README.md's current figures rewritten from $out" >&2
fi
echo "$bench_name: results in $out" >&2
