#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into tests/fuzz/corpus/<target>/.

Run again after changing it (python3 tests/fuzz/make_seeds.py); the output is deterministic and
small (a few KB per target). The config seeds are copies of the repository's own configs.
"""
import gzip
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as out:
        out.write(data)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


# ---- DNS messages ----
def dns_name(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_response(qname, answers, qtype=1, flags=0x8180, txid=0x1234):
    """answers: (type, rdata, name_bytes or None for a pointer to the question)."""
    header = struct.pack("!HHHHHH", txid, flags, 1, len(answers), 0, 0)
    question = dns_name(qname) + struct.pack("!HH", qtype, 1)
    body = b""
    for rtype, rdata, name in answers:
        owner = name if name is not None else b"\xc0\x0c"
        body += owner + struct.pack("!HHIH", rtype, 1, 300, len(rdata)) + rdata
    return header + question + body


A = 1
AAAA = 28
CNAME = 5
dns_seeds = {
    "a": dns_response("cam.example.com", [(A, bytes([93, 184, 216, 34]), None)]),
    "aaaa": dns_response("v6.example.com", [(AAAA, bytes(range(16)), None)], qtype=AAAA),
    # CNAME chain: the answers name the CNAME target through a pointer into the CNAME's rdata.
    "cname": dns_response(
        "p2p.hik-connect.com",
        [(CNAME, b"\x05relay\xc0\x10", None), (A, bytes([47, 91, 1, 2]), b"\xc0\x31"),
         (A, bytes([47, 91, 1, 3]), b"\xc0\x31")]),
    "two-a": dns_response("x.y", [(A, b"\x01\x02\x03\x04", None), (A, b"\x05\x06\x07\x08", None)]),
    "pointer-loop": dns_response("loop.test", [(A, b"\x01\x02\x03\x04", b"\xc0\x1b")]),
    "nxdomain": dns_response("missing.example", [], flags=0x8183),
    "query": dns_response("query.example", [], flags=0x0100),
    "truncated": dns_response("cam.example.com", [(A, bytes([93, 184, 216, 34]), None)])[:40],
}
for name, message in dns_seeds.items():
    write("fuzz_dns", name, message)


# ---- Packets ----
MAC_CAM = bytes.fromhex("4419b63a5121")  # a camera vendor OUI
MAC_GW = bytes.fromhex("001122334455")


def ether(payload, ethertype=0x0800, vlans=()):
    out = MAC_GW + MAC_CAM
    for tpid, vid in vlans:
        out += struct.pack("!HH", tpid, vid)
    return out + struct.pack("!H", ethertype) + payload


def ipv4(src, dst, proto, payload, ident=1, frag=0, more=False):
    flags_frag = (0x2000 if more else 0) | frag
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags_frag, 64,
                         proto, 0, bytes(src), bytes(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def ipv6(src, dst, next_header, payload):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), next_header, 64, bytes(src),
                       bytes(dst)) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, flags, payload=b"", seq=1, ack=0):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload


CAM = [192, 168, 1, 20]
SRV = [93, 184, 216, 34]
DNS_SRV = [8, 8, 8, 8]
CAM6 = [0xfd] + [0] * 14 + [0x20]
SRV6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1]
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01


def tls_client_hello(host):
    sni = host.encode()
    ext_sni = struct.pack("!HHHBH", 0, len(sni) + 5, len(sni) + 3, 0, len(sni)) + sni
    body = b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00"
    body += struct.pack("!H", len(ext_sni)) + ext_sni
    handshake = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def sequence(link, frames):
    """link: 0 Ethernet, 1 raw IP, 2 SLL, 3 SLL2 (fuzz_packets' first byte); frames: (step, bytes)."""
    out = bytes([link])
    for step, frame in frames:
        out += struct.pack("!HB", len(frame), step) + frame
    return out


query = dns_response("cam.example.com", [], flags=0x0100)
answer = dns_response("cam.example.com", [(A, bytes(SRV), None)])
write("fuzz_packets", "dns-then-tcp", sequence(0, [
    (0, ether(ipv4(CAM, DNS_SRV, 17, udp(40000, 53, query)))),
    (1, ether(ipv4(DNS_SRV, CAM, 17, udp(53, 40000, answer)))),
    (1, ether(ipv4(CAM, SRV, 6, tcp(40001, 443, SYN)))),
    (1, ether(ipv4(SRV, CAM, 6, tcp(443, 40001, SYN | ACK)))),
    (1, ether(ipv4(CAM, SRV, 6, tcp(40001, 443, ACK | PSH, tls_client_hello("cam.example.com"))))),
    (130, ether(ipv4(CAM, SRV, 6, tcp(40001, 443, FIN | ACK)))),
]))
write("fuzz_packets", "http-vlan", sequence(0, [
    (0, ether(ipv4(CAM, SRV, 6, tcp(40002, 80, SYN)), vlans=[(0x8100, 20)])),
    (1, ether(ipv4(CAM, SRV, 6, tcp(40002, 80, ACK | PSH,
                                    b"GET /upload HTTP/1.1\r\nHost: cloud.example\r\n\r\n")),
              vlans=[(0x8100, 20)])),
    (1, ether(ipv4(CAM, SRV, 17, udp(5000, 6000, b"hello")), vlans=[(0x88a8, 100), (0x8100, 20)])),
]))
frag_payload = udp(40003, 8000, bytes(range(64)) * 2)
write("fuzz_packets", "ipv4-fragments", sequence(0, [
    (0, ether(ipv4(CAM, SRV, 17, frag_payload[:64], ident=77, frag=0, more=True))),
    (0, ether(ipv4(CAM, SRV, 17, frag_payload[64:], ident=77, frag=8))),
]))
hop_by_hop = bytes([17, 0]) + bytes(6)  # next header UDP
write("fuzz_packets", "ipv6-ext", sequence(1, [
    (0, ipv6(CAM6, SRV6, 0, hop_by_hop + udp(40004, 53, query))),
    (1, ipv6(SRV6, CAM6, 17, udp(53, 40004, answer))),
    (1, ipv6(CAM6, SRV6, 6, tcp(40005, 443, SYN))),
    (1, ipv6(CAM6, SRV6, 58, b"\x80\x00\x00\x00\x00\x01\x00\x01")),
]))
sll = struct.pack("!HHH8sH", 0, 1, 6, MAC_CAM + b"\0\0", 0x0800)
write("fuzz_packets", "sll-udp-tcp-dns", sequence(2, [
    (0, sll + ipv4(CAM, DNS_SRV, 6, tcp(40006, 53, ACK | PSH,
                                         struct.pack("!H", len(query)) + query))),
    (0, sll + ipv4(DNS_SRV, CAM, 6, tcp(53, 40006, ACK | PSH,
                                         struct.pack("!H", len(answer)) + answer))),
    (0, sll + ipv4(CAM, SRV, 1, b"\x08\x00\x00\x00\x00\x01\x00\x01")),
]))
write("fuzz_packets", "udp-idle", sequence(0, [
    (0, ether(ipv4(CAM, SRV, 17, udp(10000, 10001, b"a" * 20)))),
    (200, ether(ipv4(CAM, SRV, 17, udp(10000, 10001, b"b" * 20)))),
    (255, ether(ipv4(SRV, CAM, 17, udp(10001, 10000, b"c" * 20)))),  # 2 s back
    (254, ether(ipv4(SRV, CAM, 17, udp(10001, 10000, b"d" * 20)))),
]))


# ---- Capture files ----
def pcap(frames, linktype=1, magic=0xA1B2C3D4):
    out = struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)
    for i, frame in enumerate(frames):
        out += struct.pack("<IIII", 1700000000 + i, 1000 * i, len(frame), len(frame)) + frame
    return out


def pcapng_block(block_type, body):
    pad = (4 - len(body) % 4) % 4
    length = 12 + len(body) + pad
    return struct.pack("<II", block_type, length) + body + bytes(pad) + struct.pack("<I", length)


def pcapng(frames, linktype=1):
    out = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += pcapng_block(1, struct.pack("<HHI", linktype, 0, 65535))
    for i, frame in enumerate(frames):
        ts = (1700000000 + i) * 1000000
        out += pcapng_block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame),
                                           len(frame)) + frame)
    return out


frames = [ether(ipv4(CAM, DNS_SRV, 17, udp(40000, 53, query))),
          ether(ipv4(DNS_SRV, CAM, 17, udp(53, 40000, answer))),
          ether(ipv4(CAM, SRV, 6, tcp(40001, 443, SYN)))]
write("fuzz_capture", "eth.pcap", pcap(frames))
write("fuzz_capture", "nsec.pcap", pcap(frames[:1], magic=0xA1B23C4D))
write("fuzz_capture", "raw.pcap", pcap([ipv4(CAM, SRV, 17, udp(1, 2, b"x"))], linktype=101))
write("fuzz_capture", "sll.pcap", pcap([sll + ipv4(CAM, SRV, 17, udp(1, 2, b"x"))],
                                       linktype=113))
write("fuzz_capture", "eth.pcapng", pcapng(frames))
write("fuzz_capture", "eth.pcap.gz", gzip.compress(pcap(frames), mtime=0))
write("fuzz_capture", "eth.pcapng.gz", gzip.compress(pcapng(frames[:2]), mtime=0))
write("fuzz_capture", "cut.pcap", pcap(frames)[:-10])
# Big-endian pcap; caplen over len; pcapng with if_tsresol (nanoseconds) and a Simple Packet
# Block; a second interface of another link type.
big = struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
big += struct.pack(">IIII", 1700000000, 5, len(frames[0]), len(frames[0])) + frames[0]
write("fuzz_capture", "big-endian.pcap", big)
odd = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
odd += struct.pack("<IIII", 1700000000, 0, len(frames[2]), 10) + frames[2]
write("fuzz_capture", "caplen-over-len.pcap", odd)
tsresol = struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0)
ng = pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
ng += pcapng_block(1, struct.pack("<HHI", 1, 0, 65535) + tsresol)
ng += pcapng_block(6, struct.pack("<IIIII", 0, 0x17, 0x9b2e8000, len(frames[0]), len(frames[0]))
                   + frames[0])
ng += pcapng_block(3, struct.pack("<I", len(frames[1])) + frames[1])
ng += pcapng_block(1, struct.pack("<HHI", 101, 0, 65535))
ng += pcapng_block(6, struct.pack("<IIIII", 1, 0, 0, 20, 20) + ipv4(CAM, SRV, 17, b""))
write("fuzz_capture", "tsresol-spb-two-idb.pcapng", ng)

# ---- Configs: the repository's own ----
for source in ["config/camwatch.example.yaml", "tests/integration/configs/ground-truth.yaml",
               "tests/integration/configs/learning.yaml"]:
    folder = os.path.join(CORPUS, "fuzz_config")
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(os.path.join(ROOT, source), os.path.join(folder, os.path.basename(source)))
write("fuzz_config", "empty.yaml", b"")
write("fuzz_config", "small.yaml", b"""sensor: {name: gate}
flows: {max_flows: 1000, udp_idle_timeout: 30s}
dns: {cache_size: 128, min_ttl: 1m, max_ttl: 1h}
inventory:
  devices:
    - {name: cam1, ip: 192.168.1.20, mac: "44:19:b6:3a:51:21", group: cams}
groups:
  cams: {networks: [192.168.1.0/24], vlans: [20], egress_budget: 10MB, budget_window: 1h}
policy:
  cams:
    default_action: deny
    rules:
      - {name: ntp, action: allow, ports: [123]}
""")
