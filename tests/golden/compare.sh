#!/usr/bin/env bash
# The golden-output test (ctest: golden_outputs): writes every golden case afresh with
# tests/golden/golden.sh into a scratch folder and compares it byte for byte with the committed
# files under tests/golden/cases/. A difference prints the start of the diff and the command that
# regenerates the files on purpose (scripts/update-golden.sh); review that diff like code.
#
#   compare.sh CAMWATCH TESTGEN PERL SOURCE_DIR
set -euo pipefail
if [ $# -ne 4 ]; then
  echo "usage: $0 CAMWATCH TESTGEN PERL SOURCE_DIR" >&2
  exit 2
fi
source=$4
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
"$source/tests/golden/golden.sh" "$1" "$2" "$3" "$source" "$fresh/cases"
if ! diff -r "$source/tests/golden/cases" "$fresh/cases" >"$fresh/diff.txt"; then
  echo "golden: the outputs differ from tests/golden/cases ($(wc -l <"$fresh/diff.txt") diff lines):"
  head -c 20000 "$fresh/diff.txt"
  echo
  echo "golden: if the change is intended, run scripts/update-golden.sh, review 'git diff tests/golden'"
  echo "golden: and say in the commit which behaviour changed and why."
  exit 1
fi
echo "golden: $(find "$fresh/cases" -type f | wc -l) files identical to tests/golden/cases"
