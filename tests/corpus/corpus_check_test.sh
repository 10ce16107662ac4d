#!/usr/bin/env bash
# Tests scripts/corpus_check.sh: on captures the suite makes (generated ones, a gzip copy, a
# truncated one, garbage and an empty file named .pcap) it must pass with the real camwatch and
# name the damaged files; with a camwatch that crashes on one file, hangs on another or prints a
# sanitizer report on a third, it must fail and name each.
#   corpus_check_test.sh SOURCE_DIR BUILD_DIR TESTGEN
set -euo pipefail
source_dir=$1 build_dir=$2 testgen=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$work/corpus/sub"
"$testgen" basic "$work/corpus/basic.pcap" >/dev/null
"$testgen" demo "$work/corpus/sub/demo.pcap" >/dev/null
gzip -c "$work/corpus/basic.pcap" >"$work/corpus/sub/basic.pcap.gz"
head -c 3000 "$work/corpus/sub/demo.pcap" >"$work/corpus/truncated.pcap"
head -c 5000 /dev/urandom >"$work/corpus/garbage.pcap"
: >"$work/corpus/empty.pcapng"
echo "not a capture" >"$work/corpus/notes.txt"  # not a capture name: skipped

out=$("$source_dir/scripts/corpus_check.sh" --build-dir "$build_dir" "$work/corpus") ||
  fail "corpus_check failed on well-handled input: $out"
echo "$out"
grep -q '^corpus_check: 6 files, ' <<<"$out" || fail "expected 6 files"
grep -qE '^ok +51  .*/basic.pcap$' <<<"$out" || fail "basic.pcap: 51 packets ok"
grep -qE '^ok +51  .*/sub/basic.pcap.gz$' <<<"$out" || fail "basic.pcap.gz: 51 packets ok"
grep -qE '^error .*/truncated.pcap  \(camwatch: .*truncated.pcap' <<<"$out" ||
  fail "truncated.pcap named as an error"
grep -qE '^error .*/garbage.pcap' <<<"$out" || fail "garbage.pcap named as an error"
grep -q 'notes.txt' <<<"$out" && fail "notes.txt is not a capture"

# Several files at a time print the same lines, in file order, as one at a time.
out1=$("$source_dir/scripts/corpus_check.sh" --build-dir "$build_dir" --jobs 1 "$work/corpus")
out3=$("$source_dir/scripts/corpus_check.sh" --build-dir "$build_dir" --jobs 3 "$work/corpus")
[ "$out1" = "$out3" ] || fail "--jobs 3 printed other lines than --jobs 1: $out1 /// $out3"
[ "$out1" = "$out" ] || fail "--jobs 1 printed other lines than the default: $out1 /// $out"
if err=$("$source_dir/scripts/corpus_check.sh" --build-dir "$build_dir" --jobs 0 "$work/corpus" 2>&1); then
  fail "--jobs 0 accepted"
fi
grep -q -- '--jobs 0: expected a whole number' <<<"$err" || fail "--jobs 0 not named: $err"

# A fake build whose camwatch misbehaves per file.
mkdir -p "$work/fake/daemon"
cat >"$work/fake/daemon/camwatch" <<'FAKE'
#!/usr/bin/env bash
file=${@: -1}
case "$file" in
  *crash*) kill -SEGV $$ ;;
  *hang*) sleep 30 ;;
  *asan*) echo "==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x1" >&2; exit 1 ;;
  *) exit 0 ;;
esac
FAKE
chmod +x "$work/fake/daemon/camwatch"
mkdir -p "$work/bad"
for name in crash hang asan fine; do : >"$work/bad/$name.pcap"; done
if out=$("$source_dir/scripts/corpus_check.sh" --build-dir "$work/fake" --timeout 2 \
  "$work/bad"); then
  fail "corpus_check passed a crash, a hang and a sanitizer report: $out"
fi
echo "$out"
grep -qE '^CRASH .*/crash.pcap  \(killed by signal 11\)' <<<"$out" || fail "crash not named"
grep -qE '^HANG .*/hang.pcap' <<<"$out" || fail "hang not named"
grep -qE '^SANITIZER .*/asan.pcap' <<<"$out" || fail "sanitizer report not named"
grep -qE '^ok .*/fine.pcap' <<<"$out" || fail "fine.pcap should pass"
grep -q ', 3 crashed, hung, failed or made a sanitizer report' <<<"$out" || fail "summary count"
echo "PASS"
