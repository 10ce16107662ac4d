#!/usr/bin/env bash
# `camwatch baseline export --format nftables` enforced with real packets: learn one camera's one
# destination (192.168.10.21 -> 45.0.0.1 udp/9999, `camwatch-testgen flood --flows 1`), export
# the ruleset, load it with Debian's nft on a router namespace between a camera namespace and an
# internet namespace (veth pairs), and send UDP datagrams from the camera: the learnt destination
# gets them, another address on the same port does not. Without the ruleset both get them (the
# check that the network itself works). Nothing leaves the namespaces this test makes.
#
#   nftables_enforce_test.sh CAMWATCH TESTGEN SOURCE_DIR
set -euo pipefail
camwatch=$1
testgen=$2
source_dir=$3
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: needs root: creates network namespaces"; exit 77; fi
if ! command -v nft >/dev/null; then
  echo "SKIP: nft not found: install the Debian package nftables (scripts/setup.sh does)"; exit 77
fi

work=$(mktemp -d)
tag=cwn$$
cam=${tag}cam
rtr=${tag}rtr
srv=${tag}srv
cleanup() {
  for ns in "$cam" "$rtr" "$srv"; do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Learn, then export.
sed -e "s|: \.\./\.\./\.\./config/|: $source_dir/config/|" \
  "$source_dir/tests/integration/configs/learning.yaml" >"$work/learn.yaml"
printf 'learning:\n  mode: learn\n  state_file: %s\n' "$work/baseline.json" >>"$work/learn.yaml"
"$testgen" flood "$work/flood.pcap" --flows 1 >/dev/null 2>&1
"$camwatch" baseline learn -c "$work/learn.yaml" "$work/flood.pcap" >/dev/null
"$camwatch" baseline export --format nftables -c "$work/learn.yaml" --output "$work/camwatch.nft"
grep -q '45.0.0.1 . 17 . 9999' "$work/camwatch.nft" || {
  echo "FAIL: the learnt destination is not in the ruleset"; cat "$work/camwatch.nft"; exit 1; }

# camera (192.168.10.21) -- router (192.168.10.1 | 45.0.0.254) -- internet (45.0.0.1, 45.0.0.2)
for ns in "$cam" "$rtr" "$srv"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add "${tag}a" netns "$cam" type veth peer name "${tag}b" netns "$rtr"
ip link add "${tag}c" netns "$rtr" type veth peer name "${tag}d" netns "$srv"
ip -n "$cam" addr add 192.168.10.21/24 dev "${tag}a"
ip -n "$rtr" addr add 192.168.10.1/24 dev "${tag}b"
ip -n "$rtr" addr add 45.0.0.254/24 dev "${tag}c"
ip -n "$srv" addr add 45.0.0.1/24 dev "${tag}d"
ip -n "$srv" addr add 45.0.0.2/24 dev "${tag}d"
ip -n "$cam" link set "${tag}a" up
ip -n "$rtr" link set "${tag}b" up
ip -n "$rtr" link set "${tag}c" up
ip -n "$srv" link set "${tag}d" up
ip -n "$cam" route add default via 192.168.10.1
ip -n "$srv" route add default via 45.0.0.254
ip netns exec "$rtr" sysctl -qw net.ipv4.ip_forward=1

# Sends three datagrams from the camera to each address; prints what the internet side got.
exchange() {
  ip netns exec "$srv" python3 - "$work/received" <<'PY' &
import select, socket, sys, time
socks = []
for address in ("45.0.0.1", "45.0.0.2"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((address, 9999))
    socks.append(s)
open(sys.argv[1] + ".ready", "w").close()
got = set()
end = time.time() + 3
while time.time() < end:
    ready, _, _ = select.select(socks, [], [], 0.2)
    for s in ready:
        data, _ = s.recvfrom(100)
        got.add(data.decode())
with open(sys.argv[1], "w") as out:
    out.write(" ".join(sorted(got)))
PY
  local receiver=$!
  for _ in $(seq 50); do [ -e "$work/received.ready" ] && break; sleep 0.1; done
  ip netns exec "$cam" python3 - <<'PY'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.168.10.21", 0))
for _ in range(3):
    for address in ("45.0.0.1", "45.0.0.2"):
        s.sendto(("to-" + address).encode(), (address, 9999))
    time.sleep(0.2)
PY
  wait "$receiver"
  rm -f "$work/received.ready"
  cat "$work/received"
}

before=$(exchange)
if [ "$before" != "to-45.0.0.1 to-45.0.0.2" ]; then
  echo "FAIL: without the ruleset the internet side got '$before', expected both"; exit 1
fi
ip netns exec "$rtr" nft -f "$work/camwatch.nft"
after=$(exchange)
if [ "$after" != "to-45.0.0.1" ]; then
  echo "FAIL: with the ruleset the internet side got '$after', expected only to-45.0.0.1"
  ip netns exec "$rtr" nft list ruleset
  exit 1
fi
echo "ok: the learnt destination passes, another address is dropped"
