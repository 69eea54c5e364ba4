package gulp.extract;

import gulp.decap.ArpHeader;
import gulp.decap.EthernetHeader;
import gulp.decap.Ipv4Header;
import gulp.decap.Ipv6Header;
import gulp.decap.OuterLink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

import static gulp.format.Endian.SHORT_BE;
import static gulp.format.Endian.INT_BE;
import static gulp.format.Endian.LONG_BE;

/**
 * What a file's packets carry, for skipping files: IPv4/IPv6 addresses ({@link AddressSet}),
 * TCP/UDP/SCTP ports (an exact 65536-bit set) and IP protocols (an exact 256-bit set). It is a
 * superset of what a tcpdump filter's {@code host}, {@code net}, {@code port} and {@code proto}
 * can match in the file: addresses and ports are read at every place a libpcap program reads them
 * (IPv4, IPv6, ARP and RARP; behind up to two VLAN tags too), ports of every TCP, UDP or SCTP
 * packet whatever its fragment offset, an IPv6 fragment header's next protocol as well as the
 * fixed header's. Only the first {@link #SNIFF_BYTES} bytes of a packet are looked at; a packet
 * shorter than a field has no value for it, as a filter reading past its end rejects it.
 * <pre>
 *  link layer (OuterLink)  | [802.1Q/ad tags, 4 bytes each] | IPv4 (src 12, dst 16, proto 9, IHL) | ports 0, 2
 *                                                           | IPv6 (next 6, src 8, dst 24)        | [frag 8: next 0] ports
 *                                                           | ARP/RARP (sender 14, target 24 for IPv4 over Ethernet)
 * </pre>
 */
final class TrafficSummary {
    /** The bytes of a packet the writer hands to the index (link header, tags, IPv6 header, ports). */
    static final int SNIFF_BYTES = 96;

    final AddressSet addresses;
    private final long[] ports;
    private final long[] protocols;
    private final OuterLink link; // null: this link type is not summarised, every query may match
    private final int linkHeader; // where an untagged network layer starts (-1: raw IP, always the general path)
    private final int linkProtocol;
    /**
     * The protocol field's two bytes and the next one, for an IPv4 packet with a 20-byte header
     * right behind it (0x080045), where the link's protocol field ends where its network layer
     * starts; -1 (never read) for other links.
     */
    private final int plainIpv4Head;
    /**
     * The IPv4 flows added last, by a hash of their key: a flow's later packets (the many of a
     * burst) add nothing new, so a match skips the sets. Direct-mapped, {@link #FLOWS} slots of
     * two longs side by side (source and destination as one long; the rest: protocol shifted left
     * by 40 or'd with the ports word, or with {@link #NO_PORTS}); a slot that never held a flow
     * holds a rest no packet has ({@link #NO_FLOW}). Keys are compared whole, so a hit never
     * hides a packet.
     */
    private final long[] flows = new long[FLOWS * 2];
    private static final int FLOWS = 256;
    /** The same for IPv6: {@link #FLOWS6} slots of 5 longs (source high and low, destination high and low, rest). */
    private final long[] flows6 = new long[FLOWS6 * 5];
    private static final int FLOWS6 = 64;
    private static final long NO_FLOW = -1;
    /** The transport half of a flow key without ports (not TCP/UDP/SCTP, or too short to hold them). */
    private static final long NO_PORTS = 1L << 32;

    TrafficSummary(int linkTypeField) {
        this(OuterLink.of(linkTypeField), new AddressSet(), new long[1024], new long[4]);
    }

    private TrafficSummary(OuterLink link, AddressSet addresses, long[] ports, long[] protocols) {
        this.link = link;
        this.linkHeader = link == null || link.isRawIp() ? -1 : link.headerLength;
        this.linkProtocol = link == null || link.isRawIp() ? -1 : link.protocolOffset;
        this.plainIpv4Head = linkHeader >= 0 && linkProtocol + EthernetHeader.ETHERTYPE_LENGTH == linkHeader
                ? EthernetHeader.TYPE_IPV4 << 8 | Ipv4Header.VERSION_IHL_NO_OPTIONS : -1;
        for (int i = 1; i < flows.length; i += 2) {
            flows[i] = NO_FLOW;
        }
        for (int i = 4; i < flows6.length; i += 5) {
            flows6[i] = NO_FLOW;
        }
        this.addresses = addresses;
        this.ports = ports;
        this.protocols = protocols;
    }

    /** A copy that later additions to this summary do not change. */
    TrafficSummary copy() {
        return new TrafficSummary(link, addresses.copy(), ports.clone(), protocols.clone());
    }

    /** False when the link type is not one the summary reads: nothing can be skipped by it. */
    boolean usable() {
        return link != null;
    }

    boolean mayHavePort(int port) {
        return link == null || (ports[port >>> 6] & (1L << port)) != 0;
    }

    boolean mayHaveProtocol(int protocol) {
        return link == null || (protocols[protocol >>> 6] & (1L << protocol)) != 0;
    }

    boolean mayHaveV4(int address) {
        return link == null || addresses.mayContainV4(address);
    }

    boolean mayHaveV6(long high, long low) {
        return link == null || addresses.mayContain(high, low);
    }

    /**
     * Adds the packet whose first {@code length} bytes (of {@code caplen}) are at {@code offset}.
     * Kept small, for the writer's loop to inline: the common packet (untagged IPv4 with a
     * 20-byte header and its ports, on a link whose protocol field ends where the network layer
     * starts, as Ethernet's does) in three reads; untagged IPv6 next; the rest (other IPv4
     * headers, tags, ARP, raw IP, short packets) in {@link #addOther}.
     */
    void add(MemorySegment data, long offset, int length) {
        int n = Math.min(length, SNIFF_BYTES);
        int at = linkHeader;
        if (at >= 0 && n >= at + (Ipv4Header.MIN_LENGTH + 4)) { // a header without options and the ports
            // The protocol field, then the IPv4 version and header length: 0x0800 45 for the common packet.
            int head = data.get(INT_BE, offset + linkProtocol) >>> 8;
            if (head == plainIpv4Head) {
                // ttl, protocol, checksum, source
                long ttlToSource = data.get(LONG_BE, offset + at + Ipv4Header.TTL_OFFSET);
                long destinationAndPorts = data.get(LONG_BE, offset + at + Ipv4Header.DESTINATION_OFFSET);
                int protocol = (int) (ttlToSource >>> 48) & 0xFF;
                ipv4Flow(ttlToSource << 32 | destinationAndPorts >>> 32, flowRest(protocol, destinationAndPorts & 0xFFFFFFFFL));
                return;
            }
            // Untagged IPv6, as addOther would find it.
            if (head >>> 8 == EthernetHeader.TYPE_IPV6 && n >= at + Ipv6Header.LENGTH) {
                ipv6(data, offset + at, n - at);
                return;
            }
        }
        addOther(data, offset, n);
    }

    /**
     * Every packet but the common one and untagged IPv6: a call of its own (too large for the JIT
     * to inline), which keeps {@link #add} small.
     */
    private void addOther(MemorySegment data, long offset, int n) {
        if (link == null) {
            return;
        }
        int type;
        int at;
        if (link.isRawIp()) {
            if (n < 1) {
                return;
            }
            int version = link.rawIpVersion == 0 ? (data.get(ValueLayout.JAVA_BYTE, offset) & 0xF0) >>> 4 : link.rawIpVersion;
            type = version == Ipv4Header.VERSION ? EthernetHeader.TYPE_IPV4
                    : version == Ipv6Header.VERSION ? EthernetHeader.TYPE_IPV6 : -1;
            at = 0;
        } else {
            if (n < link.protocolOffset + EthernetHeader.ETHERTYPE_LENGTH) {
                return;
            }
            type = u16(data, offset + link.protocolOffset);
            at = link.headerLength;
            for (int tags = 0; tags < 2 && EthernetHeader.isVlanTpid(type); tags++) {
                // A tag: its TPID sits where the protocol was; at is at its control field, the next protocol follows.
                if (n < at + EthernetHeader.VLAN_TAG_LENGTH) {
                    return;
                }
                type = u16(data, offset + at + (EthernetHeader.VLAN_NEXT_TYPE_OFFSET - EthernetHeader.ETHERTYPE_LENGTH));
                at += EthernetHeader.VLAN_TAG_LENGTH;
            }
        }
        switch (type) {
            case EthernetHeader.TYPE_IPV4 -> {
                if (n - at >= Ipv4Header.MIN_LENGTH) {
                    ipv4(data, offset + at, n - at);
                }
            }
            case EthernetHeader.TYPE_IPV6 -> {
                if (n - at >= Ipv6Header.LENGTH) {
                    ipv6(data, offset + at, n - at);
                }
            }
            case EthernetHeader.TYPE_ARP, EthernetHeader.TYPE_RARP -> arp(data, offset + at, n - at);
            default -> {
            }
        }
    }

    /** An IPv4 header of {@code n >= 20} bytes at {@code at}. */
    private void ipv4(MemorySegment d, long at, int n) {
        int protocol = d.get(ValueLayout.JAVA_BYTE, at + Ipv4Header.PROTOCOL_OFFSET) & 0xFF;
        long pair = d.get(LONG_BE, at + Ipv4Header.SOURCE_OFFSET); // source and destination
        int ihl = Ipv4Header.headerLength(d.get(ValueLayout.JAVA_BYTE, at + Ipv4Header.VERSION_IHL_OFFSET));
        ipv4Flow(pair, flowRest(protocol, n - ihl >= 4 ? Integer.toUnsignedLong(d.get(INT_BE, at + ihl)) : NO_PORTS));
    }

    /** An IPv4 packet's flow: {@code pair} its source and destination, {@code rest} {@link #flowRest}. */
    private void ipv4Flow(long pair, long rest) {
        // One multiply: the slot (FLOWS = 256) is the top byte, which every bit of the key reaches.
        int slot = (int) ((pair ^ rest) * 0x9E3779B97F4A7C15L >>> 56) * 2;
        long[] f = flows;
        if (f[slot] != pair || f[slot + 1] != rest) {
            newIpv4Flow(slot, pair, rest); // else a packet of a flow added lately
        }
    }

    /** A flow not in the flow cache: into the cache at {@code slot} and into the sets (a call, off the common path). */
    private void newIpv4Flow(int slot, long pair, long rest) {
        long[] f = flows;
        f[slot] = pair;
        f[slot + 1] = rest;
        int protocol = (int) (rest >>> 40) & 0xFF;
        protocols[protocol >>> 6] |= 1L << protocol;
        addresses.addV4((int) (pair >>> 32));
        addresses.addV4((int) pair);
        if ((rest & NO_PORTS) == 0) {
            addPorts((int) rest);
        }
    }

    /**
     * The transport half of a flow key: {@code protocol} shifted left by 40, or'd with the ports
     * word ({@code ports}: the 4 bytes after the IP header, or {@link #NO_PORTS} if the packet ends
     * before them) if the protocol has ports, else with {@link #NO_PORTS}. Without a branch on the
     * protocol (TCP and UDP packets interleave unpredictably: a mispredicted branch per packet):
     * one load from {@link #PORTLESS}, which holds {@link Ipv4Header#hasPorts}'s rule.
     */
    private static long flowRest(int protocol, long ports) {
        long portless = PORTLESS[protocol]; // 0 or NO_PORTS
        return (long) protocol << 40 | (ports & ((portless >>> 32) - 1)) | portless;
    }

    /** By IP protocol number: 0 for TCP, UDP and SCTP, {@link #NO_PORTS} for the rest. */
    private static final long[] PORTLESS = new long[256];

    static {
        for (int protocol = 0; protocol < PORTLESS.length; protocol++) {
            PORTLESS[protocol] = Ipv4Header.hasPorts(protocol) ? 0 : NO_PORTS;
        }
    }

    private void addPorts(int both) {
        int source = both >>> 16;
        int destination = both & 0xFFFF;
        ports[source >>> 6] |= 1L << source;
        ports[destination >>> 6] |= 1L << destination;
    }

    /** Where an IPv6 address's low 8 bytes sit (each address is read as two longs). */
    private static final int SOURCE_LOW = Ipv6Header.SOURCE_OFFSET + Long.BYTES;
    private static final int DESTINATION_LOW = Ipv6Header.DESTINATION_OFFSET + Long.BYTES;
    /** The end of a fragment header right behind the fixed IPv6 header: the fragment's transport header starts there. */
    private static final int FRAGMENT_END = Ipv6Header.LENGTH + Ipv6Header.FRAGMENT_HEADER_LENGTH;

    /** An IPv6 header of {@code n >= 40} bytes at {@code at}. */
    private void ipv6(MemorySegment d, long at, int n) {
        int next = d.get(ValueLayout.JAVA_BYTE, at + Ipv6Header.NEXT_HEADER_OFFSET) & 0xFF;
        if (next == Ipv6Header.FRAGMENT) {
            ipv6Fragment(d, at, n);
            return;
        }
        long sourceHigh = d.get(LONG_BE, at + Ipv6Header.SOURCE_OFFSET), sourceLow = d.get(LONG_BE, at + SOURCE_LOW);
        long destinationHigh = d.get(LONG_BE, at + Ipv6Header.DESTINATION_OFFSET);
        long destinationLow = d.get(LONG_BE, at + DESTINATION_LOW);
        long rest = flowRest(next, n - Ipv6Header.LENGTH >= 4
                ? Integer.toUnsignedLong(d.get(INT_BE, at + Ipv6Header.LENGTH)) : NO_PORTS);
        long h = (sourceHigh ^ sourceLow * 0x9E3779B97F4A7C15L ^ destinationHigh * 0xC2B2AE3D27D4EB4FL ^ destinationLow
                ^ rest * 0x165667B19E3779F9L) * 0x9E3779B97F4A7C15L;
        int i = (int) (h >>> 58) * 5; // FLOWS6 = 64
        long[] f = flows6;
        if (f[i] == sourceHigh && f[i + 1] == sourceLow && f[i + 2] == destinationHigh && f[i + 3] == destinationLow
                && f[i + 4] == rest) {
            return; // a packet of a flow added lately
        }
        f[i] = sourceHigh;
        f[i + 1] = sourceLow;
        f[i + 2] = destinationHigh;
        f[i + 3] = destinationLow;
        f[i + 4] = rest;
        protocols[next >>> 6] |= 1L << next;
        addresses.add(sourceHigh, sourceLow);
        addresses.add(destinationHigh, destinationLow);
        if ((rest & NO_PORTS) == 0) {
            addPorts((int) rest);
        }
    }

    /** An IPv6 header followed by a fragment header: the protocols of both, the ports after either. */
    private void ipv6Fragment(MemorySegment d, long at, int n) {
        int next = Ipv6Header.FRAGMENT;
        protocols[next >>> 6] |= 1L << next;
        addresses.add(d.get(LONG_BE, at + Ipv6Header.SOURCE_OFFSET), d.get(LONG_BE, at + SOURCE_LOW));
        addresses.add(d.get(LONG_BE, at + Ipv6Header.DESTINATION_OFFSET), d.get(LONG_BE, at + DESTINATION_LOW));
        if (n >= FRAGMENT_END) {
            int inner = d.get(ValueLayout.JAVA_BYTE, at + (Ipv6Header.LENGTH + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET)) & 0xFF;
            protocols[inner >>> 6] |= 1L << inner;
            transport(d, at + FRAGMENT_END, n - FRAGMENT_END, inner);
        }
        transport(d, at + Ipv6Header.LENGTH, n - Ipv6Header.LENGTH, next);
    }

    private void transport(MemorySegment d, long at, int n, int protocol) {
        if (Ipv4Header.hasPorts(protocol) && n >= 4) {
            addPorts(d.get(INT_BE, at));
        }
    }

    private void arp(MemorySegment d, long at, int n) {
        // Ethernet/IPv4 ARP: hardware length 6, protocol length 4 (what libpcap's arp host checks read).
        if (n >= ArpHeader.ETHERNET_IPV4_LENGTH) {
            addresses.addV4(d.get(INT_BE, at + ArpHeader.SENDER_IPV4_OFFSET));
            addresses.addV4(d.get(INT_BE, at + ArpHeader.TARGET_IPV4_OFFSET));
        }
    }

    private static int u16(MemorySegment d, long at) {
        return d.get(SHORT_BE, at) & 0xFFFF;
    }

    // ------------------------------------------------------------ serialised form

    private int portCount() {
        int c = 0;
        for (long w : ports) {
            c += Long.bitCount(w);
        }
        return c;
    }

    int serialisedBytes() {
        int portCount = portCount();
        return 1 + 32 + 1 + (portCount < 4096 ? 4 + portCount * 2 : ports.length * 8) + addresses.serialisedBytes();
    }

    void write(ByteBuffer out) {
        out.put((byte) (link == null ? 0 : 1));
        for (long w : protocols) {
            out.putLong(w);
        }
        int portCount = portCount();
        if (portCount < 4096) {
            out.put((byte) 0).putInt(portCount);
            for (int w = 0; w < ports.length; w++) { // ascending, by the set bits of each word
                for (long bits = ports[w]; bits != 0; bits &= bits - 1) {
                    out.putShort((short) (w * 64 + Long.numberOfTrailingZeros(bits)));
                }
            }
        } else {
            out.put((byte) 1);
            for (long w : ports) {
                out.putLong(w);
            }
        }
        addresses.write(out);
    }

    static TrafficSummary read(ByteBuffer in, int linkTypeField) {
        boolean usable = in.get() == 1;
        long[] protocols = new long[4];
        for (int i = 0; i < 4; i++) {
            protocols[i] = in.getLong();
        }
        long[] ports = new long[1024];
        if (in.get() == 0) {
            int count = in.getInt();
            if (count < 0 || count > 65536) {
                throw new IllegalArgumentException("bad port count");
            }
            for (int i = 0; i < count; i++) {
                int p = in.getShort() & 0xFFFF;
                ports[p >>> 6] |= 1L << p;
            }
        } else {
            for (int i = 0; i < ports.length; i++) {
                ports[i] = in.getLong();
            }
        }
        AddressSet addresses = AddressSet.read(in);
        return new TrafficSummary(usable ? OuterLink.of(linkTypeField) : null, addresses, ports, protocols);
    }
}
