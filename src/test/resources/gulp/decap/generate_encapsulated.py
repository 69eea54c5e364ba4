#!/usr/bin/python3
"""Independent generator for gulp.decap tests (scapy builds every header, not our code).

usage: generate_encapsulated.py OUTDIR

Writes into OUTDIR:
  outer.pcap       encapsulated frames (ERSPAN I/II/III, GRE-TEB, VXLAN, Geneve; IPv4/IPv6;
                   tagged/untagged; GRE key/checksum; IPv4 options, IPv6 extension headers;
                   outer IP fragments)
  inner.pcap       for each outer frame that completes an inner frame, the exact record expected:
                   the inner Ethernet frame, or for IP payloads a 14-byte header of zero MACs and
                   the IP EtherType followed by the IP packet
  manifest.txt     one line per outer frame: "inner KIND ID" or "held"
  stream.pcap      ERSPAN II stream for the sequence-gap test: session 7 sequence numbers
                   4294967000 .. +2999 (wrapping at 2^32), session 9 sequence 1..100, interleaved
"""
import random
import sys

from scapy.all import Ether, Dot1Q, Dot1AD, IP, IPv6, UDP, TCP, ICMP, ARP, Raw, GRE, wrpcap
from scapy.all import IPOption_NOP, IPOption_RR, IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting
from scapy.all import fragment, fragment6, IPv6ExtHdrFragment, ICMPv6EchoRequest
from scapy.contrib.erspan import ERSPAN_II, ERSPAN_III, ERSPAN_PlatformSpecific
from scapy.contrib.geneve import GENEVE, GeneveOptions
from scapy.layers.vxlan import VXLAN

random.seed(20260607)
out = sys.argv[1]

COLLECTOR_MAC = "02:00:00:00:00:c0"
SWITCH_MAC = "02:00:00:00:00:5e"
T0 = 1_700_000_000.0


def inner_frames():
    """A few different mirrored frames."""
    yield Ether(src="00:11:22:33:44:55", dst="66:77:88:99:aa:bb") / IP(src="10.1.1.1", dst="10.2.2.2") / UDP(sport=1234, dport=53) / Raw(b"q" * 30)
    yield Ether(src="00:11:22:33:44:56", dst="66:77:88:99:aa:bc") / Dot1Q(vlan=42) / IP(src="10.1.1.3", dst="10.2.2.4") / TCP(sport=40000, dport=443, flags="S", seq=123456)
    yield Ether(src="00:11:22:33:44:57", dst="66:77:88:99:aa:bd") / IPv6(src="2001:db8::1", dst="2001:db8::2") / ICMPv6EchoRequest(data=b"ping" * 10)
    yield Ether(src="00:11:22:33:44:58", dst="ff:ff:ff:ff:ff:ff") / ARP(psrc="10.9.9.9", pdst="10.9.9.1")


def inner_ip_packets():
    yield IP(src="10.3.3.3", dst="10.4.4.4") / ICMP() / Raw(b"x" * 48)
    yield IPv6(src="2001:db8::3", dst="2001:db8::4") / UDP(sport=5, dport=6) / Raw(b"y" * 20)


def outer_l2(tagging):
    e = Ether(src=SWITCH_MAC, dst=COLLECTOR_MAC)
    if tagging == "dot1q":
        return e / Dot1Q(vlan=100)
    if tagging == "qinq":
        return e / Dot1AD(vlan=200) / Dot1Q(vlan=300)
    return e


def outer_l3(version, style):
    if version == 4:
        if style == "options":
            return IP(src="192.0.2.1", dst="192.0.2.2", options=[IPOption_NOP(), IPOption_RR(routers=["1.2.3.4"])])
        return IP(src="192.0.2.1", dst="192.0.2.2")
    if style == "options":
        return IPv6(src="2001:db8:f::1", dst="2001:db8:f::2") / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt()
    if style == "routing":
        return IPv6(src="2001:db8:f::1", dst="2001:db8:f::2") / IPv6ExtHdrRouting(addresses=["2001:db8:f::3"])
    return IPv6(src="2001:db8:f::1", dst="2001:db8:f::2")


def synthetic(ip_packet):
    raw = bytes(ip_packet)
    ethertype = 0x0800 if raw[0] >> 4 == 4 else 0x86DD
    return b"\x00" * 12 + ethertype.to_bytes(2, "big") + raw


outer, inner, manifest = [], [], []
clock = [T0]


def emit(packet, expected_inner, kind, ident):
    clock[0] += 0.001
    packet.time = clock[0]
    outer.append(packet)
    e = Ether(expected_inner) if isinstance(expected_inner, bytes) else expected_inner
    e.time = clock[0]
    inner.append(bytes(expected_inner))
    manifest.append(f"inner {kind} {ident}")


sequence = [1000]


def next_sequence():
    sequence[0] += 1
    return sequence[0]


def encapsulations(frame):
    """(kind, id, transport-and-encapsulation layers + payload, expected record) for one inner Ethernet frame."""
    session = random.randrange(1024)
    yield "ERSPAN", -1, GRE(proto=0x88BE) / frame, frame
    yield "ERSPAN", session, GRE(seqnum_present=1, sequence_number=next_sequence(), proto=0x88BE) / ERSPAN_II(ver=1, session_id=session, vlan=5, index=77) / frame, frame
    yield "ERSPAN", session, GRE(seqnum_present=1, sequence_number=next_sequence(), proto=0x22EB) / ERSPAN_III(session_id=session, timestamp=12345, ft=0, hw=3) / frame, frame
    yield "ERSPAN", session, GRE(seqnum_present=1, sequence_number=next_sequence(), proto=0x22EB) / ERSPAN_III(session_id=session, timestamp=99, ft=0, o=1, gra=0) / ERSPAN_PlatformSpecific(platf_id=3, info1=7, info2=1700000000) / frame, frame
    key = random.randrange(1 << 31)
    yield "GRE", key, GRE(key_present=1, key=key, proto=0x6558) / frame, frame
    yield "GRE", key, GRE(chksum_present=1, key_present=1, key=key, seqnum_present=1, sequence_number=5, proto=0x6558) / frame, frame
    yield "GRE", -1, GRE(proto=0x6558) / frame, frame
    vni = random.randrange(1 << 24)
    yield "VXLAN", vni, UDP(sport=random.randrange(49152, 65535), dport=4789) / VXLAN(vni=vni, flags=0x08) / frame, frame
    yield "GENEVE", vni, UDP(sport=12345, dport=6081) / GENEVE(vni=vni, proto=0x6558) / frame, frame
    yield "GENEVE", vni, UDP(sport=12345, dport=6081) / GENEVE(vni=vni, proto=0x6558, options=[
        GeneveOptions(classid=0x0102, type=0x80, data=b"\x01\x02\x03\x04"),
        GeneveOptions(classid=0xffff, type=1, data=b"ABCDEFGHIJKL")]) / frame, frame


def ip_encapsulations(packet):
    session = random.randrange(1024)
    ethertype = 0x0800 if packet.version == 4 else 0x86DD
    yield "ERSPAN", session, GRE(seqnum_present=1, sequence_number=next_sequence(), proto=0x22EB) / ERSPAN_III(session_id=session, ft=2, p=0) / packet, synthetic(packet)
    vni = random.randrange(1 << 24)
    yield "GENEVE", vni, UDP(sport=1, dport=6081) / GENEVE(vni=vni, proto=ethertype) / packet, synthetic(packet)
    yield "VXLAN", vni, UDP(sport=2, dport=4789) / VXLAN(vni=vni, flags=0x0C, NextProtocol=1 if packet.version == 4 else 2) / packet, synthetic(packet)


combos = [(4, "plain", "none"), (4, "options", "dot1q"), (6, "plain", "none"), (6, "options", "qinq"),
          (6, "routing", "dot1q"), (4, "plain", "qinq")]
for version, style, tagging in combos:
    for frame in inner_frames():
        for kind, ident, body, expected in encapsulations(frame):
            emit(outer_l2(tagging) / outer_l3(version, style) / body, expected, kind, ident)
    for packet in inner_ip_packets():
        for kind, ident, body, expected in ip_encapsulations(packet):
            emit(outer_l2(tagging) / outer_l3(version, style) / body, expected, kind, ident)

# Outer fragmentation: a large mirrored frame, IPv4 fragments (also out of order) and IPv6 fragments.
big = Ether(src="00:11:22:33:44:99", dst="66:77:88:99:aa:99") / IP(src="10.7.7.7", dst="10.8.8.8") / UDP(sport=9, dport=9) / Raw(bytes(range(256)) * 12)
def emit_fragments(pieces, label):
    """Every piece but the last is held by the reassembler; the last one releases the big frame."""
    for n, piece in enumerate(pieces):
        clock[0] += 0.0001
        p = Ether(src=SWITCH_MAC, dst=COLLECTOR_MAC) / piece
        p.time = clock[0]
        outer.append(p)
        if n < len(pieces) - 1:
            manifest.append("held")
        else:
            inner.append(bytes(big))
            manifest.append(label)


for order in ("in", "reversed"):
    datagram = IP(src="192.0.2.1", dst="192.0.2.2", id=4242 if order == "in" else 4243) / GRE(seqnum_present=1, sequence_number=next_sequence(), proto=0x88BE) / ERSPAN_II(ver=1, session_id=33) / big
    pieces = fragment(datagram, fragsize=1000)
    emit_fragments(list(reversed(pieces)) if order == "reversed" else pieces, "inner ERSPAN 33")
vx = IPv6(src="2001:db8:f::1", dst="2001:db8:f::2") / IPv6ExtHdrFragment(id=777) / UDP(sport=3, dport=4789) / VXLAN(vni=4096) / big
emit_fragments(fragment6(vx, 1280), "inner VXLAN 4096")

wrpcap(f"{out}/outer.pcap", outer)
inner_records = []
times = [p.time for p, m in zip(outer, manifest) if m.startswith("inner")]
for raw, t in zip(inner, times):
    r = Raw(raw)
    r.time = t
    inner_records.append(r)
wrpcap(f"{out}/inner.pcap", inner_records, linktype=1)
with open(f"{out}/manifest.txt", "w") as f:
    f.write("\n".join(manifest) + "\n")

# Sequence-gap stream: session 7 wraps at 2^32; session 9 is small.
stream = []
frame = next(inner_frames())
t = T0
for i in range(3000):
    t += 0.0001
    p = Ether(src=SWITCH_MAC, dst=COLLECTOR_MAC) / IP(src="192.0.2.1", dst="192.0.2.2") / GRE(seqnum_present=1, sequence_number=(4294967000 + i) % (1 << 32), proto=0x88BE) / ERSPAN_II(ver=1, session_id=7) / frame
    p.time = t
    stream.append(p)
    if i < 100:
        q = Ether(src=SWITCH_MAC, dst=COLLECTOR_MAC) / IP(src="192.0.2.1", dst="192.0.2.2") / GRE(seqnum_present=1, sequence_number=i + 1, proto=0x88BE) / ERSPAN_II(ver=1, session_id=9) / frame
        q.time = t
        stream.append(q)
wrpcap(f"{out}/stream.pcap", stream)
print(len(outer), "outer frames,", len(inner), "inner frames,", len(stream), "stream frames")
