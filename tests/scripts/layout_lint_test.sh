#!/usr/bin/env bash
# ctest layout_lint: scripts/layout_lint.sh on the repository with tests/scripts/layout_lint_allow.txt
# must pass. First the lint itself is checked on small trees made here, so it cannot pass by
# seeing nothing: one with a violation of every kind must fail naming each, the same tree with
# those violations allow-listed must pass, and the clean tree with that allow-list must fail
# naming every entry as stale.
#
#   layout_lint_test.sh LINT SOURCE_DIR
set -euo pipefail
lint=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
# expect_fail NAME TREE ALLOW PATTERN...: the lint must exit 1 and print every pattern (grep -E).
expect_fail() {
  local name=$1 tree=$2 allow=$3
  shift 3
  local status=0
  "$lint" "$tree" "$allow" >"$work/$name.out" 2>&1 || status=$?
  if [ "$status" -ne 1 ]; then
    fail "$name: the lint exited $status, expected 1"
    cat "$work/$name.out"
  fi
  local pattern
  for pattern in "$@"; do
    grep -qE -- "$pattern" "$work/$name.out" || fail "$name: no line matches '$pattern'"
  done
}
expect_pass() {
  local name=$1 tree=$2 allow=$3
  if ! "$lint" "$tree" "$allow" >"$work/$name.out" 2>&1; then
    fail "$name: the lint failed"
    cat "$work/$name.out"
  fi
}
lines() {  # N FILE: a file of N lines of code
  local i
  for ((i = 1; i <= $1; i++)); do echo "int v$i = $i;"; done >"$2"
}

# owns LINE: the two comment lines a main header opens with, saying what folder LINE owns.
owns() { printf '// %s/: what it owns,\n// in two lines.\n' "$1"; }

# A clean tree: three components, flow -> dpi only, threads where they may be, 600-line file,
# each daemon/ folder with its main header (the lint's table main_header).
clean=$work/clean
mkdir -p "$clean"/{include/camwatch,daemon/flow,daemon/dpi,daemon/pipeline,daemon/cli,daemon/config,tests/unit,bench}
{ owns flow; printf '#pragma once\n#include <vector>\n#include <camwatch/dpi.h>\n'; } \
  >"$clean/include/camwatch/flow.h"
{ owns dpi; printf '#pragma once\n#include <cstdint>\n'; } >"$clean/include/camwatch/dpi.h"
{ owns pipeline; printf '#pragma once\n'; } >"$clean/daemon/pipeline/worker_shell.h"
{ owns cli; printf '#pragma once\n'; } >"$clean/daemon/cli/cli.h"
printf '#pragma once\n#include <nlohmann/json.hpp>\n#include <camwatch/alert.h>\n' \
  >"$clean/include/camwatch/alert_json.h"
printf '#pragma once\n' >"$clean/include/camwatch/alert.h"
{ owns config; printf '#pragma once\n#include <string>\n'; } >"$clean/daemon/config/config.h"
printf '#include <camwatch/flow.h>\n#include "dpi/helper.h"\n' >"$clean/daemon/flow/table.cc"
printf '#include <camwatch/dpi.h>\n' >"$clean/daemon/dpi/classifier.cc"
printf '#pragma once\n' >"$clean/daemon/dpi/helper.h"
printf '#include <thread>\nstd::thread reader;\n' >"$clean/daemon/pipeline/reader.cc"
printf '#include "config/config.h"\n#include "pipeline/x.h"\n' >"$clean/daemon/cli/cli.cc"
# Not violations: a comment, and std::thread:: members that start nothing.
printf '// one std::thread per worker, pthread_create too\n#include <camwatch/flow.h>\nunsigned n = std::thread::hardware_concurrency();\n' \
  >"$clean/daemon/flow/workers.cc"
lines 600 "$clean/tests/unit/long_test.cc"
: >"$work/empty-allow.txt"
expect_pass clean "$clean" "$work/empty-allow.txt"

# Every kind of violation at once.
bad=$work/bad
cp -r "$clean" "$bad"
echo '#include <camwatch/flow.h>' >>"$bad/daemon/dpi/classifier.cc"             # dpi -> flow -> dpi
echo '#include <nlohmann/json.hpp>' >>"$bad/include/camwatch/alert.h"          # JSON in a public type
echo '#include "config/config.h"' >>"$bad/daemon/flow/table.cc"                # whole config in flow/
echo 'pthread_t t; int r = pthread_create(&t, 0, 0, 0);' >>"$bad/daemon/dpi/classifier.cc"
lines 700 "$bad/bench/long_bench.cc"
expect_fail bad "$bad" "$work/empty-allow.txt" \
  'include cycle between components: (dpi -> flow -> dpi|flow -> dpi -> flow)' \
  'dpi -> flow: daemon/dpi/classifier.cc:2' 'flow -> dpi: ' \
  '^layout_lint: nlohmann: include/camwatch/alert.h: ' \
  '^layout_lint: config: daemon/flow/table.cc: ' \
  '^layout_lint: thread: daemon/dpi/classifier.cc: ' \
  '^layout_lint: size: bench/long_bench.cc: 700 lines' \
  '^layout_lint: 5 problem'
if grep -qE '^layout_lint: [a-z]+: (daemon/flow/workers.cc|tests/unit/long_test.cc|daemon/pipeline/reader.cc|include/camwatch/alert_json.h|daemon/cli/cli.cc):' \
  "$work/bad.out"; then
  fail "bad: a file that breaks no rule was named"
  cat "$work/bad.out"
fi

# The same violations allow-listed: passes.
cat >"$work/allow.txt" <<'EOF'
# comment
edge dpi->flow                    the classifier works on flows
nlohmann include/camwatch/alert.h alertToJson
config daemon/flow/table.cc       reads the whole config
thread daemon/dpi/classifier.cc   starts its own thread
size bench/long_bench.cc          one long benchmark
EOF
expect_pass allowed "$bad" "$work/allow.txt"

# The clean tree with that allow-list: every entry is stale.
expect_fail stale "$clean" "$work/allow.txt" \
  "allow.txt:2: stale: 'edge dpi->flow'" "allow.txt:3: stale: 'nlohmann include/camwatch/alert.h'" \
  "allow.txt:4: stale: 'config daemon/flow/table.cc'" "allow.txt:5: stale: 'thread daemon/dpi/classifier.cc'" \
  "allow.txt:6: stale: 'size bench/long_bench.cc'"

# An allowed edge that still exists but no longer closes a loop is stale too.
printf 'edge flow->dpi the other way\n' >"$work/allow-edge.txt"
expect_fail stale-edge "$clean" "$work/allow-edge.txt" "allow-edge.txt:1: stale: 'edge flow->dpi'"

# A malformed allow-list: no reason, unknown kind, a duplicate.
printf 'size bench/long_bench.cc\nsizes bench/x.cc why\nsize bench/long_bench.cc a\nsize bench/long_bench.cc b\n' \
  >"$work/malformed.txt"
expect_fail malformed "$bad" "$work/malformed.txt" "malformed.txt:1: 'size bench/long_bench.cc' has no reason" \
  "malformed.txt:2: unknown kind 'sizes'" "malformed.txt:4: 'size bench/long_bench.cc' is listed twice \(line 3\)"

# A loop of three through daemon-private headers (cli -> pipeline is in the clean tree), and a
# public header with no component.
three=$work/three
cp -r "$clean" "$three"
mkdir -p "$three/daemon/geo"
owns geo >"$three/include/camwatch/geo.h"
printf '#pragma once\n#include "geo/lookup.h"\n' >"$three/daemon/pipeline/x.h"  # pipeline -> geo
printf '#pragma once\n#include "cli/cli.h"\n' >"$three/daemon/geo/lookup.h"      # geo -> cli
printf '#pragma once\n' >"$three/include/camwatch/gadget.h"
expect_fail three "$three" "$work/empty-allow.txt" \
  'include cycle between components: (cli -> pipeline -> geo -> cli|pipeline -> geo -> cli -> pipeline|geo -> cli -> pipeline -> geo)' \
  'cli -> pipeline: daemon/cli/cli.cc:2' 'pipeline -> geo: daemon/pipeline/x.h:2' \
  'geo -> cli: daemon/geo/lookup.h:2' 'include/camwatch/gadget.h: no component'

# Main headers: a folder the table does not know, one whose main header is missing, one that
# opens with a comment that is not the "owns" one, one whose second line is not a comment going
# on, one that names another folder. The good ones of the clean tree are not named.
owned=$work/owned
cp -r "$clean" "$owned"
mkdir -p "$owned/daemon/gadgets" "$owned/daemon/geo" "$owned/daemon/sinks/jsonl" "$owned/daemon/util"
: >"$owned/daemon/gadgets/gadget.cc"
: >"$owned/daemon/geo/lookup.cc"
mkdir -p "$owned/daemon/moved_away"  # empty, as a move leaves a folder behind: git has no such folder
rm "$owned/daemon/cli/cli.h"
{ printf '// dpi: application classification,\n// with nDPI.\n'; cat "$clean/include/camwatch/dpi.h"; } \
  >"$owned/include/camwatch/dpi.h"
printf '// geo/: where a flow goes.\n#pragma once\n' >"$owned/include/camwatch/geo.h"
owns sinks >"$owned/daemon/sinks/jsonl/jsonl_alert_sink.h"
owns sinks >"$owned/daemon/sinks/sink_registry.h"
owns util >"$owned/daemon/util/text.h"
expect_fail owned "$owned" "$work/empty-allow.txt" \
  '^layout_lint: owns: daemon/gadgets/: no main header: add it to main_header' \
  '^layout_lint: owns: daemon/cli/: its main header daemon/cli/cli.h does not exist' \
  '^layout_lint: owns: include/camwatch/dpi.h: does not open with .* dpi/ owns' \
  '^layout_lint: owns: include/camwatch/geo.h: does not open with .* geo/ owns' \
  '^layout_lint: owns: daemon/sinks/jsonl/jsonl_alert_sink.h: does not open with .* sinks/jsonl/ owns' \
  '^layout_lint: 5 problem'
if grep -qE 'owns: (include/camwatch/flow.h|daemon/pipeline/|daemon/sinks/sink_registry.h|daemon/util/|daemon/moved_away/)' \
  "$work/owned.out"; then
  fail "owned: a main header that says what its folder owns was named"
  cat "$work/owned.out"
fi

# A missing allow-list file fails rather than allowing nothing quietly... or everything.
expect_fail no-allow "$clean" "$work/missing.txt" 'missing.txt: no such allow-list file'

if [ "$failures" -gt 0 ]; then
  echo "layout_lint_test: the lint itself is broken ($failures failure(s)); not run on $source"
  exit 1
fi
echo "layout_lint_test: self-test ok"

# The repository.
"$lint" "$source" "$source/tests/scripts/layout_lint_allow.txt"
