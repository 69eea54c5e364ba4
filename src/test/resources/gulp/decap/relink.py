#!/usr/bin/python3
"""Re-frames the Ethernet frames of a classic pcap as the other link layers gulp -d reads, byte
for byte as libpcap writes them (pcap-linux.c, sll.h), independently of gulp's code.

usage: relink.py IN.pcap OUTDIR

Writes into OUTDIR, each with FILE.index (the 0-based input frame number of every record):
  sll.pcap    LINKTYPE_LINUX_SLL (113): 16-byte cooked header (packet type 0, ARPHRD_ETHER, the
              source MAC as address), then the frame from its EtherType on (a VLAN tag stays in
              place after the protocol field, where libpcap re-inserts it)
  sll2.pcap   LINKTYPE_LINUX_SLL2 (276): 20-byte header (protocol, interface index 2, ARPHRD_ETHER,
              packet type 0, source MAC), then the frame after its first EtherType
  raw.pcap    LINKTYPE_RAW (101): the IP packet alone (tags dropped)
  ipv4.pcap   LINKTYPE_IPV4 (228) and ipv6.pcap LINKTYPE_IPV6 (229): the IP packets of that version
"""
import os
import struct
import sys

VLAN_TPIDS = (0x8100, 0x88A8, 0x9100)


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    header = data[:24]
    at = 24
    records = []
    while at + 16 <= len(data):
        sec, frac, caplen, wirelen = struct.unpack(endian + "IIII", data[at:at + 16])
        records.append((sec, frac, wirelen, data[at + 16:at + 16 + caplen]))
        at += 16 + caplen
    return endian, header, records


def write_pcap(path, endian, header, linktype, records):
    with open(path, "wb") as f:
        f.write(header[:20] + struct.pack(endian + "I", linktype))
        for sec, frac, wirelen, frame in records:
            f.write(struct.pack(endian + "IIII", sec, frac, len(frame), wirelen) + frame)


def ip_start(frame):
    at = 12
    while struct.unpack(">H", frame[at:at + 2])[0] in VLAN_TPIDS:
        at += 4
    return at + 2, struct.unpack(">H", frame[at:at + 2])[0]


def main():
    endian, header, records = read_pcap(sys.argv[1])
    out = sys.argv[2]
    files = {name: [] for name in ("sll", "sll2", "raw", "ipv4", "ipv6")}
    for index, (sec, frac, wirelen, frame) in enumerate(records):
        source = frame[6:12] + b"\0\0"
        sll = struct.pack(">HHH", 0, 1, 6) + source + frame[12:]
        files["sll"].append((index, (sec, frac, wirelen + 2, sll)))
        sll2 = frame[12:14] + struct.pack(">HIHBB", 0, 2, 1, 0, 6) + source + frame[14:]
        files["sll2"].append((index, (sec, frac, wirelen + 6, sll2)))
        start, ethertype = ip_start(frame)
        if ethertype in (0x0800, 0x86DD):
            packet = frame[start:]
            record = (sec, frac, wirelen - start, packet)
            files["raw"].append((index, record))
            files["ipv4" if ethertype == 0x0800 else "ipv6"].append((index, record))
    for name, linktype in (("sll", 113), ("sll2", 276), ("raw", 101), ("ipv4", 228), ("ipv6", 229)):
        write_pcap(os.path.join(out, name + ".pcap"), endian, header, linktype, [r for _, r in files[name]])
        with open(os.path.join(out, name + ".index"), "w") as f:
            f.write("".join(f"{i}\n" for i, _ in files[name]))


main()
