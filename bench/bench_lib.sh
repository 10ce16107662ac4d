# shellcheck shell=bash disable=SC2034,SC2154  # sourced: the caller sets and reads these names
# bench_lib.sh: what replay_bench.sh, scaling_bench.sh and memory_bench.sh share (sourced, not
# run): messages, the build's tools, generated captures, configs derived from the example
# config, and the facts every result carries (date, commit, machine, load).
#
# The sourcing script sets `bench_name` (for messages), `repo_dir` and `build_dir` first.

die() {
  echo "$bench_name: $*" >&2
  exit 1
}

is_count() { [[ "$1" =~ ^[1-9][0-9]*$ ]]; }

# word_in LIST WORD: WORD is one of the space-separated words of LIST.
word_in() {
  local word
  for word in $1; do [[ "$word" == "$2" ]] && return 0; done
  return 1
}

# need_built PATH TARGET: the build has PATH, else say which target to build.
need_built() {
  [[ -x "$1" ]] || die "$1 is missing: build it with 'cmake --build $build_dir --target $2'"
}

# The build directory must exist; prints its absolute path.
resolve_build_dir() {
  [[ -d "$1" ]] || die "build directory $1 does not exist; configure it with
  cmake --preset release && cmake --build --preset release -j2 --target camwatch camwatch-testgen \\
    pcap_read_loop parse_hash_loop flow_memory_sizes"
  (cd "$1" && pwd)
}

gnu_time=/usr/bin/time
need_gnu_time() {
  if ! [[ -x "$gnu_time" ]] || ! "$gnu_time" -f '%M' true >/dev/null 2>&1; then
    die "GNU time is not installed at $gnu_time (apt-get install -y time)"
  fi
}

need_python3() {
  command -v python3 >/dev/null || die "python3 is needed for the JSON results"
}

# generated_capture SCENARIO NAME ARGS...: prints the path of build_dir/bench-data/NAME.pcap,
# written by `camwatch-testgen SCENARIO FILE ARGS...` unless it is there already. testgen is
# deterministic: the same testgen and arguments give the same file (delete it after a testgen
# change to regenerate).
generated_capture() {
  local scenario=$1 name=$2
  shift 2
  local testgen="$build_dir/tests/tools/camwatch-testgen"
  local file="$build_dir/bench-data/$name.pcap"
  if ! [[ -s "$file" ]]; then
    need_built "$testgen" "camwatch-testgen (configure with -DCAMWATCH_BUILD_TESTS=ON)"
    mkdir -p "$build_dir/bench-data"
    echo "$bench_name: generating $file ..." >&2
    # Under a temporary name first, so an interrupted run never leaves a short capture.
    local partial="$file.partial.$$"
    if ! "$testgen" "$scenario" "$partial" "$@" >"$partial.log" 2>&1; then
      cat "$partial.log" >&2
      rm -f "$partial" "$partial.log"
      die "camwatch-testgen $scenario failed"
    fi
    rm -f "$partial.log"
    mv "$partial" "$file"
  fi
  echo "$file"
}

# derive_example_config OUT SED_SCRIPT: config/camwatch.example.yaml with its relative paths
# (they are relative to the config file: every *_file and *_db key, and the include globs) made
# absolute, edited by SED_SCRIPT (may be empty), written to OUT and checked with `camwatch
# check-config`.
derive_example_config() {
  local out=$1 edit=$2 config_dir="$repo_dir/config"
  sed -E -e "s#^([[:space:]]*[a-z_]+_(file|db):[[:space:]]*)([^/\"[:space:]\#][^[:space:]\#]*)#\\1$config_dir/\\3#" \
    -e "s#^(include:[[:space:]]*\\[)([^]/][^]]*)\\]#\\1$config_dir/\\2]#" \
    "$config_dir/camwatch.example.yaml" | sed -E "$edit" >"$out"
  "$build_dir/daemon/camwatch" check-config -c "$out" >/dev/null 2>&1 ||
    die "the derived config $out does not pass camwatch check-config"
}

# The facts every result starts with, as shell variables: run_date, run_commit, run_machine,
# run_load (read again at the end with read_load).
describe_run() {
  run_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  local branch dirty=""
  run_commit=$(git -C "$repo_dir" rev-parse --short HEAD 2>/dev/null || echo unknown)
  branch=$(git -C "$repo_dir" rev-parse --abbrev-ref HEAD 2>/dev/null || true)
  if ! git -C "$repo_dir" diff --quiet HEAD -- daemon include 2>/dev/null; then
    dirty=" + uncommitted changes in daemon/ or include/"
  fi
  run_commit+="${branch:+ ($branch)}$dirty"
  local cpu cores
  cores=$(nproc 2>/dev/null || echo '?')
  cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo 2>/dev/null || true)
  run_machine="$cores cores${cpu:+, $cpu}, $(uname -sr)"
  read_load
}
read_load() { run_load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown); }

# median FILE COLUMN: the median of a column of numbers (mean of the middle two when even).
median() {
  sort -g -k"$2","$2" "$1" | awk -v c="$2" '{v[NR] = $c}
    END {if (NR == 0) {print 0; exit}
         printf "%.6f\n", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
