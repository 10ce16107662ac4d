#!/usr/bin/env python3
"""Compares the application protocol camwatch assigns each flow with what ndpiReader (the same
nDPI) assigns it, on any captures, and prints the agreement.

  bench/ndpi_parity.py [--camwatch BIN] [--protos FILE] [--show N] CAPTURE...

Flows are matched by IP protocol and the unordered pair of endpoints (address:port). ndpiReader
splits and times out flows differently from camwatch, so several camwatch records may stand for
one ndpiReader flow: the flow agrees when any of them carries ndpiReader's protocol name. A flow
that only one side has is counted apart ("unmatched"), not as a disagreement. Each capture is run
on its own, as ndpiReader reads one file at a time. Exit 0, unless --min-agreement is given and
not met (or fewer than --min-flows flows could be compared): then 1, so a test can use it.
"""
import argparse
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict

def endpoint(ip, port):
    return f"{canonical(ip)}|{port}"


def canonical(address):
    """ndpiReader's IPv6 text is not always RFC 5952 ('b00c::3' for 'b00c:0:3'): compare parsed."""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return address


def flow_key(l4, a, b):
    # VLAN ids are left out: ndpiReader 4.2 prints odd VLAN ids for some QinQ/tunnelled frames,
    # and a 5-tuple seen on two VLANs at once does not occur in these captures.
    return (l4, tuple(sorted((a, b))))


FLOW_LINE = re.compile(
    r"^\t\d+\t(\S+) (\S+) <?-> (\S+) (?:\[VLAN: (\d+)\])?\[proto: [\d.]+/([^\]]+)\]")
L4_NAMES = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "icmpv6": "icmpv6", "igmp": "igmp",
            "gre": "gre", "esp": "esp", "ipsec": "esp", "ospf": "ospf", "sctp": "sctp"}


def parse_endpoint(text):
    """'[2001:db8::1]:443', '10.0.0.1:443' or a bare address -> (address, port)."""
    match = re.match(r"^\[(.*)\]:(\d+)$", text) or re.match(r"^([\d.]+):(\d+)$", text)
    return (match.group(1), match.group(2)) if match else (text.strip("[]"), "0")


def ndpi_reader_flows(capture, protos, workdir):
    """ndpiReader -v 2 lists every flow, detected and undetected, one per line."""
    cmd = ["ndpiReader", "-i", capture, "-v", "2"]
    if protos:
        cmd += ["-p", protos]
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False,
                         text=True, errors="replace")
    flows = {}
    for line in run.stdout.splitlines():
        match = FLOW_LINE.match(line)
        if not match:
            continue
        l4_text, a_text, b_text, _vlan, proto = match.groups()
        l4 = L4_NAMES.get(l4_text.lower(), l4_text.lower())
        if l4_text.isdigit():
            l4 = "ip-proto-" + l4_text
        a_ip, a_port = parse_endpoint(a_text)
        b_ip, b_port = parse_endpoint(b_text)
        if l4 not in ("tcp", "udp"):
            a_port = b_port = "0"
        flows[flow_key(l4, endpoint(a_ip, a_port), endpoint(b_ip, b_port))] = proto
    return flows


def camwatch_flows(binary, capture, protos, workdir):
    out = os.path.join(workdir, "flows.jsonl")
    config = os.path.join(workdir, "cfg.yaml")
    with open(config, "w") as f:
        f.write("dpi:\n  protocols_file: '%s'\n" % protos if protos else "")
    subprocess.run([binary, "replay", "-c", config, "--workers", "1", "--flows", out, capture],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    flows = defaultdict(set)
    if not os.path.exists(out):
        return flows
    with open(out) as f:
        for line in f:
            r = json.loads(line)
            key = flow_key(r["l4"], endpoint(r["src_ip"], r["src_port"]),
                           endpoint(r["dst_ip"], r["dst_port"]))
            flows[key].add(r["app_protocol"])
    os.remove(out)
    return flows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--camwatch", default=os.path.join(here, "..", "build", "release",
                                                           "daemon", "camwatch"))
    parser.add_argument("--protos", default="", help="custom protocols file for both tools")
    parser.add_argument("--show", type=int, default=20, help="disagreements to list")
    parser.add_argument("--min-agreement", type=float, default=None,
                        help="exit 1 when the agreement (percent) is below this")
    parser.add_argument("--min-flows", type=int, default=1,
                        help="with --min-agreement: exit 1 when fewer flows were compared")
    parser.add_argument("captures", nargs="+")
    args = parser.parse_args()
    if args.protos:
        args.protos = os.path.abspath(args.protos)

    totals = Counter()
    disagreements = []
    with tempfile.TemporaryDirectory() as workdir:
        for capture in args.captures:
            reference = ndpi_reader_flows(capture, args.protos, workdir)
            ours = camwatch_flows(args.camwatch, capture, args.protos, workdir)
            for key, proto in reference.items():
                if key not in ours:
                    totals["unmatched"] += 1
                    continue
                totals["compared"] += 1
                if proto in ours[key]:
                    totals["agree"] += 1
                else:
                    totals["disagree"] += 1
                    disagreements.append((os.path.basename(capture), key, proto, sorted(ours[key])))
            totals["camwatch_only"] += sum(1 for key in ours if key not in reference)
            totals["files"] += 1

    compared = totals["compared"]
    share = 100.0 * totals["agree"] / compared if compared else 0.0
    print(f"files: {totals['files']}  flows compared: {compared}  agree: {totals['agree']} "
          f"({share:.2f}%)  disagree: {totals['disagree']}  "
          f"only in ndpiReader: {totals['unmatched']}  only in camwatch: {totals['camwatch_only']}")
    for capture, key, proto, theirs in disagreements[: args.show]:
        l4, (a, b) = key
        print(f"  {capture}: {l4} {a.replace('|', ':')} <-> {b.replace('|', ':')}: "
              f"ndpiReader {proto}, camwatch {', '.join(theirs)}")
    if args.min_agreement is not None:
        if compared < args.min_flows:
            print(f"FAIL: only {compared} flows compared, fewer than {args.min_flows}")
            return 1
        if share < args.min_agreement:
            print(f"FAIL: agreement {share:.2f}% is below {args.min_agreement}%")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
