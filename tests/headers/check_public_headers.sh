#!/usr/bin/env bash
# ctest public_headers_self_contained (tests/headers/CMakeLists.txt): builds the target that
# compiles each public header on its own, then checks that every file under include/camwatch/
# has exactly its generated unit, that the unit is compiled (it is in compile_commands.json)
# and that no unit is left for a header that is gone.
#
#   check_public_headers.sh CMAKE BUILD_DIR INCLUDE_DIR UNITS_DIR
set -euo pipefail
cmake=$1 build=$2 include=$3 units=$4
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Build first: if a header was added since the last configure, CONFIGURE_DEPENDS configures
# again and the new header gets its unit.
if ! "$cmake" --build "$build" --target camwatch_public_headers >"$log" 2>&1; then
  echo "FAIL: a public header does not compile on its own (build log below)"
  cat "$log"
  exit 1
fi

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
headers=0
while IFS= read -r header; do
  headers=$((headers + 1))
  name=${header#"$include"/}
  unit=$units/${name//\//__}.cc
  if [ ! -f "$unit" ]; then
    fail "$name: no unit $unit (configure again: cmake --preset ...)"
    continue
  fi
  [ "$(grep -c '^#include ' "$unit")" -eq 2 ] && [ "$(grep -cxF "#include <$name>" "$unit")" -eq 2 ] ||
    fail "$name: $unit does not include <$name> (twice) and nothing else"
  grep -qF "\"file\": \"$unit\"" "$build/compile_commands.json" ||
    fail "$name: $unit is not compiled (not in $build/compile_commands.json)"
done < <(find "$include/camwatch" -type f | sort)
for unit in "$units"/*.cc; do
  [ -e "$unit" ] || continue
  name=$(basename "$unit" .cc)
  [ -f "$include/${name//__//}" ] || fail "$unit: its header $include/${name//__//} is gone"
done
[ "$headers" -gt 0 ] || fail "no header under $include/camwatch"
if [ "$failures" -gt 0 ]; then
  exit 1
fi
echo "public_headers_self_contained: $headers headers, each compiles on its own"
