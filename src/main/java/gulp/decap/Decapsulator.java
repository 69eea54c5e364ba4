package gulp.decap;

import gulp.decap.DecapCounters.Counter;

import java.lang.foreign.MemorySegment;

import static gulp.decap.Bytes.u16;
import static gulp.decap.Bytes.u32;
import static gulp.decap.Bytes.u32Unsigned;
import static gulp.decap.Bytes.u64;
import static gulp.decap.Bytes.u8;
import static gulp.decap.DecapOutcome.HELD;
import static gulp.decap.DecapOutcome.INNER;
import static gulp.decap.DecapOutcome.OTHER;
import static gulp.decap.DecapOutcome.SKIPPED;
import static gulp.format.Timestamps.NANOS_PER_SECOND;

/**
 * Removes one level of ERSPAN (I, II, III), GRE transparent Ethernet bridging, VXLAN or Geneve
 * encapsulation from captured Ethernet frames, reading every header (never a fixed offset).
 * <p>
 * One instance per reader thread: not thread safe, no allocation per packet, no exceptions for
 * bad input (it is counted in {@link #counters()} and skipped).
 * <p>
 * Why one class of this length: the hot path of every tunnel is a few methods the JIT compiles
 * together; a split into link layer, outer IP, tunnel and timestamp parts over a shared cursor
 * measured 15–25 % slower per packet (docs/decap-bench.md), so the layers stay methods here.
 */
public final class Decapsulator {
    private static final int PAYLOAD_ETHERNET = 0;
    /** IP packet, version read from its first nibble. */
    private static final int PAYLOAD_IP = 1;
    private static final int PAYLOAD_IPV4 = EthernetHeader.TYPE_IPV4;
    private static final int PAYLOAD_IPV6 = EthernetHeader.TYPE_IPV6;

    private static final long ERSPAN_100_MICROS = 100_000L;
    private static final long ERSPAN_100_NANOS = 100L;

    /**
     * What an inner frame is reported as: its kind, ERSPAN type (0: not ERSPAN) and the counter it adds to.
     * One constant per tunnel instead of three arguments; a record, so its fields fold into the code.
     */
    private record Tunnel(EncapKind kind, int erspanType, Counter counter) {
    }

    private static final Tunnel ERSPAN_I = new Tunnel(EncapKind.ERSPAN, 1, Counter.INNER_ERSPAN_I);
    private static final Tunnel ERSPAN_II = new Tunnel(EncapKind.ERSPAN, 2, Counter.INNER_ERSPAN_II);
    private static final Tunnel ERSPAN_III = new Tunnel(EncapKind.ERSPAN, 3, Counter.INNER_ERSPAN_III);
    private static final Tunnel GRE_BRIDGING = new Tunnel(EncapKind.GRE, 0, Counter.INNER_GRE_TEB);
    private static final Tunnel VXLAN = new Tunnel(EncapKind.VXLAN, 0, Counter.INNER_VXLAN);
    private static final Tunnel GENEVE = new Tunnel(EncapKind.GENEVE, 0, Counter.INNER_GENEVE);

    private final DecapConfig config;
    private final DecapCounters counters = new DecapCounters();
    private final SequenceGapTracker gaps = new SequenceGapTracker();
    private final FragmentReassembler reassembler;
    /** The fragment being offered to the reassembler, refilled for each one. */
    private final Fragment fragment = new Fragment();
    private final boolean greKinds;
    private final boolean udpKinds;
    private final boolean erspan;
    private final boolean greBridging;
    private final boolean vxlan;
    private final boolean geneve;
    private final int vxlanPort;
    private final int genevePort;
    private final boolean hardwareTime;
    private final OuterLink link;
    private final int protocolOffset;
    private final int networkOffset;
    private final int rawIpVersion;

    /** For Ethernet input. */
    public Decapsulator(DecapConfig config) {
        this(config, OuterLink.ETHERNET, FragmentReassembler.DEFAULT_TIMEOUT_NANOS);
    }

    /** For input of the given outer link layer. */
    public Decapsulator(DecapConfig config, OuterLink link) {
        this(config, link, FragmentReassembler.DEFAULT_TIMEOUT_NANOS);
    }

    /** {@code fragmentTimeoutNanos}: packet time after which an incomplete outer datagram is given up. */
    public Decapsulator(DecapConfig config, long fragmentTimeoutNanos) {
        this(config, OuterLink.ETHERNET, fragmentTimeoutNanos);
    }

    private Decapsulator(DecapConfig config, OuterLink link, long fragmentTimeoutNanos) {
        this.config = config;
        this.link = link;
        this.protocolOffset = link.protocolOffset;
        this.networkOffset = link.headerLength;
        this.rawIpVersion = link.rawIpVersion;
        this.reassembler = new FragmentReassembler(counters, fragmentTimeoutNanos);
        this.erspan = config.enabled(EncapKind.ERSPAN);
        this.greBridging = config.enabled(EncapKind.GRE);
        this.vxlan = config.enabled(EncapKind.VXLAN);
        this.geneve = config.enabled(EncapKind.GENEVE);
        this.greKinds = erspan || greBridging;
        this.udpKinds = vxlan || geneve;
        this.vxlanPort = config.vxlanPort();
        this.genevePort = config.genevePort();
        this.hardwareTime = config.useErspanHardwareTime();
    }

    public DecapConfig config() { return config; }

    /** The outer link layer this decapsulator reads. */
    public OuterLink link() { return link; }

    public DecapCounters counters() { return counters; }

    public SequenceGapTracker sequenceGaps() { return gaps; }

    /** Outer datagrams waiting for fragments. */
    public int fragmentsInFlight() { return reassembler.inFlight(); }

    /** End of the run: incomplete outer datagrams are counted as given up. */
    public void finish() { reassembler.giveUpAll(); }

    /**
     * At most the bytes that fragments held from earlier packets can add to the output when their
     * datagrams complete (payload plus a record and an Ethernet header each); 0 without fragments.
     */
    public long heldOutputBytes() { return reassembler.heldBytes() + 64L * reassembler.inFlight(); }

    /** Counters, then one line per ERSPAN session with sequence numbers. */
    public void appendSummary(StringBuilder out) {
        counters.appendSummary(out);
        gaps.appendSummary(out);
    }

    /**
     * Decapsulates the packet of {@code caplen} captured bytes (of {@code wirelen} on the wire) at
     * {@code offset} in {@code pkt}, laid out as this decapsulator's {@link #link()} (Ethernet,
     * Linux cooked, raw IP), arrived at {@code tsNanos} (epoch nanoseconds).
     */
    public DecapOutcome decapsulate(MemorySegment pkt, long offset, int caplen, int wirelen, long tsNanos,
                                    DecapResult out) {
        out.skipReason = null;
        out.reassembled = false;
        out.syntheticPrefix = false;
        out.direction = DecapResult.DIRECTION_UNKNOWN;
        return frame(pkt, offset, Math.min(caplen, wirelen), wirelen, tsNanos, out);
    }

    /** The outer link layer, up to the IP header. */
    private DecapOutcome frame(MemorySegment pkt, long offset, int cap, int wirelen, long tsNanos, DecapResult out) {
        if (rawIpVersion != OuterLink.Constants.NOT_RAW) {
            return rawIp(pkt, offset, cap, wirelen, tsNanos, out);
        }
        if (cap < networkOffset) {
            return other();
        }
        int type = u16(pkt, offset + protocolOffset);
        // A tag: its TPID sits where the protocol was; its control field and the next protocol follow.
        int ip = networkOffset;
        for (int tags = 0; EthernetHeader.isVlanTpid(type); tags++) {
            if (tags == EthernetHeader.MAX_VLAN_TAGS || ip + EthernetHeader.VLAN_TAG_LENGTH > cap) {
                return other();
            }
            type = u16(pkt, offset + ip + EthernetHeader.VLAN_NEXT_TYPE_OFFSET - EthernetHeader.ETHERTYPE_LENGTH);
            ip += EthernetHeader.VLAN_TAG_LENGTH;
        }
        if (type == EthernetHeader.TYPE_IPV4) {
            return ipv4(pkt, offset, ip, cap, wirelen, tsNanos, out);
        }
        if (type == EthernetHeader.TYPE_IPV6) {
            return ipv6(pkt, offset, ip, cap, wirelen, tsNanos, out);
        }
        return other();
    }

    /** An IP packet with no link-layer header: the version from the link type, or from the packet's first nibble. */
    private DecapOutcome rawIp(MemorySegment pkt, long offset, int cap, int wirelen, long tsNanos, DecapResult out) {
        if (cap < 1) {
            return other();
        }
        int version = rawIpVersion == OuterLink.Constants.VERSION_FROM_PACKET ? u8(pkt, offset) >>> 4 : rawIpVersion;
        if (version == 4) {
            return ipv4(pkt, offset, 0, cap, wirelen, tsNanos, out);
        }
        if (version == 6) {
            return ipv6(pkt, offset, 0, cap, wirelen, tsNanos, out);
        }
        return other();
    }

    private boolean wanted(int protocol) {
        return (protocol == Ipv4Header.PROTOCOL_GRE && greKinds) || (protocol == Ipv4Header.PROTOCOL_UDP && udpKinds);
    }

    /** A malformed outer header: GRE is ours to count; UDP might be anything, so it passes as other. */
    private DecapOutcome malformedOuter(int protocol, Counter reason, DecapResult out) {
        return protocol == Ipv4Header.PROTOCOL_GRE ? skip(reason, out) : other();
    }

    private DecapOutcome ipv4(MemorySegment pkt, long base, int ip, int cap, int wire, long ts, DecapResult out) {
        if (ip + Ipv4Header.MIN_LENGTH > cap) {
            // Too little to read the header; if we can see the protocol, GRE is ours to count.
            if (ip + Ipv4Header.PROTOCOL_OFFSET < cap && greKinds
                    && u8(pkt, base + ip + Ipv4Header.PROTOCOL_OFFSET) == Ipv4Header.PROTOCOL_GRE) {
                return skip(Counter.TRUNCATED_OUTER, out);
            }
            return other();
        }
        int protocol = u8(pkt, base + ip + Ipv4Header.PROTOCOL_OFFSET);
        if (!wanted(protocol)) {
            return other();
        }
        int versionIhl = u8(pkt, base + ip);
        int headerLength = (versionIhl & 0x0F) * 4;
        if ((versionIhl >>> 4) != 4 || headerLength < Ipv4Header.MIN_LENGTH) {
            return malformedOuter(protocol, Counter.MALFORMED_OUTER_IP, out);
        }
        if (ip + headerLength > cap) {
            return malformedOuter(protocol, Counter.TRUNCATED_OUTER, out);
        }
        int totalLength = u16(pkt, base + ip + Ipv4Header.TOTAL_LENGTH_OFFSET);
        int end;
        if (totalLength == 0) {
            end = wire; // GSO / BIG TCP: the datagram runs to the end of the frame
        } else {
            if (totalLength < headerLength) {
                return malformedOuter(protocol, Counter.MALFORMED_OUTER_IP, out);
            }
            end = ip + totalLength;
            if (end > wire) {
                return malformedOuter(protocol, Counter.OUTER_LENGTH_BEYOND_PACKET, out);
            }
        }
        int payload = ip + headerLength;
        int fragment = u16(pkt, base + ip + Ipv4Header.FLAGS_FRAGMENT_OFFSET);
        if ((fragment & (Ipv4Header.MORE_FRAGMENTS | Ipv4Header.FRAGMENT_OFFSET_MASK)) != 0) {
            int fragmentOffset = (fragment & Ipv4Header.FRAGMENT_OFFSET_MASK) * Ipv4Header.FRAGMENT_UNIT;
            if (protocol == Ipv4Header.PROTOCOL_UDP && fragmentOffset == 0
                    && !udpPortIsOurs(pkt, base, payload, Math.min(cap, end))) {
                return other();
            }
            if (totalLength == 0) {
                return skip(Counter.MALFORMED_OUTER_IP, out);
            }
            if (end > cap) {
                return skip(Counter.FRAGMENT_TRUNCATED, out);
            }
            Fragment f = this.fragment;
            f.version = 4;
            f.sourceHigh = 0L;
            f.sourceLow = u32Unsigned(pkt, base + ip + Ipv4Header.SOURCE_OFFSET);
            f.destinationHigh = 0L;
            f.destinationLow = u32Unsigned(pkt, base + ip + Ipv4Header.DESTINATION_OFFSET);
            f.identification = u16(pkt, base + ip + Ipv4Header.IDENTIFICATION_OFFSET);
            f.keyProtocol = protocol;
            f.protocol = protocol;
            f.offset = fragmentOffset;
            f.more = (fragment & Ipv4Header.MORE_FRAGMENTS) != 0;
            f.segment = pkt;
            f.payloadAt = base + payload;
            f.payloadLength = end - payload;
            int result = reassembler.offer(f, ts);
            return reassembled(result, ts, out);
        }
        return transport(pkt, base, payload, end, Math.min(cap, end), protocol, ts, out);
    }

    private DecapOutcome ipv6(MemorySegment pkt, long base, int ip, int cap, int wire, long ts, DecapResult out) {
        if (ip + Ipv6Header.LENGTH > cap || (u8(pkt, base + ip) >>> 4) != 6) {
            return other();
        }
        int next = u8(pkt, base + ip + Ipv6Header.NEXT_HEADER_OFFSET);
        int at = ip + Ipv6Header.LENGTH;
        boolean fragmented = false;
        int fragmentOffset = 0;
        boolean more = false;
        int id = 0;
        for (int headers = 0; ; headers++) {
            if (next == Ipv6Header.HOP_BY_HOP || next == Ipv6Header.ROUTING || next == Ipv6Header.DESTINATION_OPTIONS) {
                if (headers == Ipv6Header.MAX_EXTENSION_HEADERS || at + 2 > cap) {
                    return other();
                }
                next = u8(pkt, base + at + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET);
                at += (u8(pkt, base + at + Ipv6Header.EXTENSION_LENGTH_OFFSET) + 1) * Ipv6Header.EXTENSION_LENGTH_UNIT;
            } else if (next == Ipv6Header.FRAGMENT) {
                if (at + Ipv6Header.FRAGMENT_HEADER_LENGTH > cap) {
                    return other();
                }
                int offsetFlags = u16(pkt, base + at + Ipv6Header.FRAGMENT_OFFSET_FLAGS_OFFSET);
                fragmentOffset = offsetFlags & Ipv6Header.FRAGMENT_OFFSET_MASK;
                more = (offsetFlags & Ipv6Header.MORE_FRAGMENTS) != 0;
                fragmented = fragmentOffset != 0 || more; // an atomic fragment is a whole datagram
                id = u32(pkt, base + at + Ipv6Header.FRAGMENT_IDENTIFICATION_OFFSET);
                next = u8(pkt, base + at + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET);
                at += Ipv6Header.FRAGMENT_HEADER_LENGTH;
                if (fragmented) break; // later headers belong to the fragmentable part
            } else {
                break;
            }
        }
        // The upper-layer protocol; behind a fragment header, destination options or routing headers
        // belong to the fragmentable part: visible in the first fragment only (-1: not visible).
        int upper = next;
        int upperAt = at;
        for (int headers = 0; fragmented && (upper == Ipv6Header.DESTINATION_OPTIONS || upper == Ipv6Header.ROUTING);
             headers++) {
            if (fragmentOffset != 0) {
                upper = -1;
                break;
            }
            if (headers == Ipv6Header.MAX_EXTENSION_HEADERS || upperAt + 2 > cap) {
                return other();
            }
            upper = u8(pkt, base + upperAt + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET);
            upperAt += (u8(pkt, base + upperAt + Ipv6Header.EXTENSION_LENGTH_OFFSET) + 1)
                    * Ipv6Header.EXTENSION_LENGTH_UNIT;
        }
        if (upper < 0 ? !(greKinds || udpKinds) : !wanted(upper)) {
            return other();
        }
        int payloadLength = u16(pkt, base + ip + Ipv6Header.PAYLOAD_LENGTH_OFFSET);
        int end = payloadLength == 0 ? wire : ip + Ipv6Header.LENGTH + payloadLength;
        if (end > wire) {
            return malformedOuter(upper, Counter.OUTER_LENGTH_BEYOND_PACKET, out);
        }
        if (at > end) {
            return malformedOuter(upper, Counter.MALFORMED_OUTER_IP, out);
        }
        if (at > cap) {
            return malformedOuter(upper, Counter.TRUNCATED_OUTER, out);
        }
        if (fragmented) {
            if (upper == Ipv4Header.PROTOCOL_UDP && fragmentOffset == 0
                    && !udpPortIsOurs(pkt, base, upperAt, Math.min(cap, end))) {
                return other();
            }
            if (payloadLength == 0) {
                return skip(Counter.MALFORMED_OUTER_IP, out);
            }
            if (end > cap) {
                return skip(Counter.FRAGMENT_TRUNCATED, out);
            }
            long src = base + ip + Ipv6Header.SOURCE_OFFSET;
            long dst = base + ip + Ipv6Header.DESTINATION_OFFSET;
            Fragment f = this.fragment;
            f.version = 6;
            f.sourceHigh = u64(pkt, src);
            f.sourceLow = u64(pkt, src + 8);
            f.destinationHigh = u64(pkt, dst);
            f.destinationLow = u64(pkt, dst + 8);
            f.identification = id;
            f.keyProtocol = 0;
            f.protocol = next;
            f.offset = fragmentOffset;
            f.more = more;
            f.segment = pkt;
            f.payloadAt = base + at;
            f.payloadLength = end - at;
            int result = reassembler.offer(f, ts);
            return reassembled(result, ts, out);
        }
        return transport(pkt, base, at, end, Math.min(cap, end), next, ts, out);
    }

    /** For a first UDP fragment: is the destination port one we decapsulate (or not yet visible)? */
    private boolean udpPortIsOurs(MemorySegment pkt, long base, int udp, int capEnd) {
        if (udp + UdpHeader.LENGTH > capEnd) return true; // let reassembly or the skip counters decide
        int port = u16(pkt, base + udp + UdpHeader.DESTINATION_PORT_OFFSET);
        return (vxlan && port == vxlanPort) || (geneve && port == genevePort);
    }

    private DecapOutcome reassembled(int result, long ts, DecapResult out) {
        if (result == FragmentReassembler.HELD) {
            counters.increment(Counter.FRAGMENT_HELD);
            return HELD;
        }
        if (result == FragmentReassembler.DROPPED) {
            return skip(reassembler.dropReason(), out);
        }
        counters.increment(Counter.FRAGMENT_REASSEMBLED);
        MemorySegment buffer = reassembler.buffer();
        long base = reassembler.completedOffset();
        int length = reassembler.completedLength();
        int protocol = reassembler.completedProtocol();
        int start = 0;
        // IPv6: extension headers after the fragment header (destination options, routing) are in the payload.
        for (int headers = 0; protocol == Ipv6Header.DESTINATION_OPTIONS || protocol == Ipv6Header.ROUTING; headers++) {
            if (headers == Ipv6Header.MAX_EXTENSION_HEADERS || start + 2 > length) {
                return skip(Counter.REASSEMBLED_NOT_ENCAPSULATION, out);
            }
            protocol = u8(buffer, base + start + Ipv6Header.EXTENSION_NEXT_HEADER_OFFSET);
            start += (u8(buffer, base + start + Ipv6Header.EXTENSION_LENGTH_OFFSET) + 1)
                    * Ipv6Header.EXTENSION_LENGTH_UNIT;
        }
        if (!wanted(protocol) || start > length) {
            return skip(Counter.REASSEMBLED_NOT_ENCAPSULATION, out);
        }
        DecapOutcome outcome = transport(buffer, base, start, length, length, protocol, ts, out);
        if (outcome == OTHER) {
            // The fragments were held, so the original packet cannot be written as "other".
            counters.add(Counter.NOT_ENCAPSULATION, -1);
            return skip(Counter.REASSEMBLED_NOT_ENCAPSULATION, out);
        }
        out.reassembled = outcome == INNER;
        return outcome;
    }

    /**
     * {@code start}: GRE/UDP header; {@code end}: end of the IP payload; {@code capEnd}: end of what was
     * captured of it.
     */
    private DecapOutcome transport(MemorySegment seg, long base, int start, int end, int capEnd, int protocol,
                                   long ts, DecapResult out) {
        return protocol == Ipv4Header.PROTOCOL_GRE
                ? gre(seg, base, start, end, capEnd, ts, out)
                : udp(seg, base, start, end, capEnd, ts, out);
    }

    private DecapOutcome udp(MemorySegment seg, long base, int udp, int end, int capEnd, long ts, DecapResult out) {
        if (udp + UdpHeader.DESTINATION_PORT_OFFSET + 2 > capEnd) {
            return other();
        }
        int port = u16(seg, base + udp + UdpHeader.DESTINATION_PORT_OFFSET);
        boolean isVxlan = vxlan && port == vxlanPort;
        if (!isVxlan && !(geneve && port == genevePort)) {
            return other();
        }
        if (udp + UdpHeader.LENGTH > capEnd) {
            return skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int udpLength = u16(seg, base + udp + UdpHeader.LENGTH_OFFSET);
        if (udpLength != 0) { // 0: jumbogram / GSO, to the end of the IP payload
            if (udpLength < UdpHeader.LENGTH || udp + udpLength > end) {
                return skip(Counter.OUTER_LENGTH_BEYOND_PACKET, out);
            }
            end = udp + udpLength;
            capEnd = Math.min(capEnd, end);
        }
        int header = udp + UdpHeader.LENGTH;
        return isVxlan
                ? vxlan(seg, base, header, end, capEnd, ts, out)
                : geneve(seg, base, header, end, capEnd, ts, out);
    }

    private DecapOutcome vxlan(MemorySegment seg, long base, int at, int end, int capEnd, long ts, DecapResult out) {
        if (at + VxlanHeader.LENGTH > capEnd) {
            return skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int flags = u8(seg, base + at + VxlanHeader.FLAGS_OFFSET);
        if ((flags & VxlanHeader.FLAG_VNI_VALID) == 0) {
            return skip(Counter.VXLAN_NO_VNI_FLAG, out);
        }
        int payload = PAYLOAD_ETHERNET;
        if ((flags & VxlanHeader.FLAG_NEXT_PROTOCOL) != 0) {
            switch (u8(seg, base + at + VxlanHeader.NEXT_PROTOCOL_OFFSET)) {
                case VxlanHeader.NEXT_PROTOCOL_NONE, VxlanHeader.NEXT_PROTOCOL_ETHERNET -> payload = PAYLOAD_ETHERNET;
                case VxlanHeader.NEXT_PROTOCOL_IPV4 -> payload = PAYLOAD_IPV4;
                case VxlanHeader.NEXT_PROTOCOL_IPV6 -> payload = PAYLOAD_IPV6;
                default -> { return skip(Counter.VXLAN_GPE_PROTOCOL, out); }
            }
        }
        int vni = VxlanHeader.vni(u32(seg, base + at + VxlanHeader.VNI_OFFSET));
        if (!config.vniAccepted(vni)) {
            return skip(Counter.VNI_FILTERED, out);
        }
        return inner(seg, base, at + VxlanHeader.LENGTH, end, capEnd, payload, VXLAN, vni, ts, out);
    }

    private DecapOutcome geneve(MemorySegment seg, long base, int at, int end, int capEnd, long ts, DecapResult out) {
        if (at + GeneveHeader.BASE_LENGTH > capEnd) {
            return skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int first = u8(seg, base + at + GeneveHeader.VERSION_OPTION_LENGTH_OFFSET);
        if (GeneveHeader.version(first) != 0) {
            return skip(Counter.GENEVE_BAD_VERSION, out);
        }
        int length = GeneveHeader.length(first);
        if (at + length > capEnd) {
            return skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int payload;
        switch (u16(seg, base + at + GeneveHeader.PROTOCOL_OFFSET)) {
            case EthernetHeader.TYPE_TRANSPARENT_ETHERNET -> payload = PAYLOAD_ETHERNET;
            case EthernetHeader.TYPE_IPV4 -> payload = PAYLOAD_IPV4;
            case EthernetHeader.TYPE_IPV6 -> payload = PAYLOAD_IPV6;
            default -> { return skip(Counter.GENEVE_PROTOCOL, out); }
        }
        int vni = GeneveHeader.vni(u32(seg, base + at + GeneveHeader.VNI_OFFSET));
        if (!config.vniAccepted(vni)) {
            return skip(Counter.VNI_FILTERED, out);
        }
        return inner(seg, base, at + length, end, capEnd, payload, GENEVE, vni, ts, out);
    }

    private DecapOutcome gre(MemorySegment seg, long base, int gre, int end, int capEnd, long ts, DecapResult out) {
        if (gre + GreHeader.BASE_LENGTH > capEnd) {
            return skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int flags = u16(seg, base + gre + GreHeader.FLAGS_VERSION_OFFSET);
        if ((flags & GreHeader.VERSION_MASK) != 0) {
            return skip(Counter.GRE_BAD_VERSION, out);
        }
        if ((flags & GreHeader.FLAG_ROUTING) != 0) {
            return skip(Counter.GRE_ROUTING, out);
        }
        int greLength = GreHeader.length(flags);
        if (gre + greLength > capEnd) {
            return skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int protocol = u16(seg, base + gre + GreHeader.PROTOCOL_OFFSET);
        boolean sequenced = (flags & GreHeader.FLAG_SEQUENCE) != 0;
        int after = gre + greLength;
        switch (protocol) {
            case GreHeader.PROTOCOL_ERSPAN_I_II -> {
                if (!erspan) {
                    return other();
                }
                if (!sequenced) {
                    if (!config.sessionlessAccepted()) {
                        return skip(Counter.SESSION_FILTERED, out);
                    }
                    return inner(seg, base, after, end, capEnd, PAYLOAD_ETHERNET, ERSPAN_I, DecapResult.NO_ID, ts,
                            out);
                }
                if (after + ErspanHeader.TYPE_II_LENGTH > capEnd) {
                    return skip(Counter.TRUNCATED_ENCAPSULATION, out);
                }
                int word0 = u32(seg, base + after);
                if (ErspanHeader.version(word0) != ErspanHeader.VERSION_TYPE_II) {
                    return skip(Counter.ERSPAN_UNKNOWN_VERSION, out);
                }
                int session = ErspanHeader.sessionId(word0);
                if (!config.sessionAccepted(session)) {
                    return skip(Counter.SESSION_FILTERED, out);
                }
                gaps.observe(session, u32(seg, base + gre + GreHeader.sequenceOffset(flags)));
                return inner(seg, base, after + ErspanHeader.TYPE_II_LENGTH, end, capEnd, PAYLOAD_ETHERNET,
                        ERSPAN_II, session, ts, out);
            }
            case GreHeader.PROTOCOL_ERSPAN_III -> {
                if (!erspan) {
                    return other();
                }
                return erspanIII(seg, base, gre, flags, after, end, capEnd, ts, out);
            }
            case GreHeader.PROTOCOL_TRANSPARENT_ETHERNET -> {
                if (!greBridging) {
                    return other();
                }
                int key = (flags & GreHeader.FLAG_KEY) != 0
                        ? u32(seg, base + gre + GreHeader.keyOffset(flags))
                        : DecapResult.NO_ID;
                return inner(seg, base, after, end, capEnd, PAYLOAD_ETHERNET, GRE_BRIDGING, key, ts, out);
            }
            default -> { return skip(Counter.GRE_NOT_BRIDGING, out); }
        }
    }

    private DecapOutcome erspanIII(MemorySegment seg, long base, int gre, int flags, int at, int end, int capEnd,
                                   long ts, DecapResult out) {
        if (at + ErspanHeader.TYPE_III_LENGTH > capEnd) {
            return skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int word0 = u32(seg, base + at);
        if (ErspanHeader.version(word0) != ErspanHeader.VERSION_TYPE_III) {
            return skip(Counter.ERSPAN_UNKNOWN_VERSION, out);
        }
        int word2 = u32(seg, base + at + ErspanHeader.TYPE_III_WORD2_OFFSET);
        boolean subHeader = ErspanHeader.hasSubHeader(word2);
        int headerLength = ErspanHeader.TYPE_III_LENGTH + (subHeader ? ErspanHeader.SUB_HEADER_LENGTH : 0);
        if (at + headerLength > capEnd) {
            return skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int payload;
        switch (ErspanHeader.frameType(word2)) {
            case ErspanHeader.FRAME_TYPE_ETHERNET -> payload = PAYLOAD_ETHERNET;
            case ErspanHeader.FRAME_TYPE_IP -> payload = PAYLOAD_IP;
            default -> { return skip(Counter.ERSPAN_FRAME_TYPE, out); }
        }
        int session = ErspanHeader.sessionId(word0);
        if (!config.sessionAccepted(session)) {
            return skip(Counter.SESSION_FILTERED, out);
        }
        if ((flags & GreHeader.FLAG_SEQUENCE) != 0) {
            gaps.observe(session, u32(seg, base + gre + GreHeader.sequenceOffset(flags)));
        }
        long time = hardwareTime ? erspanTime(seg, base + at, word2, subHeader, ts) : ts;
        out.direction = ErspanHeader.egress(word2) ? DecapResult.DIRECTION_EGRESS : DecapResult.DIRECTION_INGRESS;
        return inner(seg, base, at + headerLength, end, capEnd, payload, ERSPAN_III, session, time, out);
    }

    /** ERSPAN III hardware time by granularity; the 32-bit counter's wrap is resolved against arrival time. */
    private long erspanTime(MemorySegment seg, long header, int word2, boolean subHeader, long arrival) {
        long stamp = u32Unsigned(seg, header + ErspanHeader.TYPE_III_TIMESTAMP_OFFSET);
        switch (ErspanHeader.granularity(word2)) {
            case ErspanHeader.GRANULARITY_100_MICROS -> { return nearestWrap(arrival, ERSPAN_100_MICROS, stamp); }
            case ErspanHeader.GRANULARITY_100_NANOS -> { return nearestWrap(arrival, ERSPAN_100_NANOS, stamp); }
            case ErspanHeader.GRANULARITY_IEEE_1588 -> {
                if (stamp >= NANOS_PER_SECOND) {
                    break;
                }
                if (subHeader) {
                    int platform = (u32(seg, header + ErspanHeader.SUB_HEADER_WORD0_OFFSET)
                            >>> ErspanHeader.PLATFORM_ID_SHIFT) & ErspanHeader.PLATFORM_ID_MASK;
                    if (ErspanHeader.subHeaderCarriesSeconds(platform)) {
                        long seconds = u32Unsigned(seg, header + ErspanHeader.SUB_HEADER_WORD1_OFFSET);
                        return seconds * NANOS_PER_SECOND + stamp;
                    }
                }
                // Nanoseconds only: take the second that puts the stamp nearest the arrival time.
                long second = Math.floorDiv(arrival, NANOS_PER_SECOND) * NANOS_PER_SECOND;
                long best = second + stamp;
                if (Math.abs(best - NANOS_PER_SECOND - arrival) < Math.abs(best - arrival)) {
                    best -= NANOS_PER_SECOND;
                } else if (Math.abs(best + NANOS_PER_SECOND - arrival) < Math.abs(best - arrival)) {
                    best += NANOS_PER_SECOND;
                }
                return best;
            }
            default -> { }
        }
        counters.increment(Counter.HARDWARE_TIME_UNUSABLE);
        return arrival;
    }

    /** The time {@code units * unit} whose low 32 bits of units are {@code stamp}, nearest to {@code arrival}. */
    static long nearestWrap(long arrival, long unit, long stamp) {
        long arrivalUnits = Math.floorDiv(arrival, unit);
        long candidate = (arrivalUnits & ~0xFFFF_FFFFL) | stamp;
        long difference = candidate - arrivalUnits;
        if (difference > 0x8000_0000L) {
            candidate -= 0x1_0000_0000L;
        } else if (difference < -0x8000_0000L) {
            candidate += 0x1_0000_0000L;
        }
        return candidate * unit;
    }

    private DecapOutcome inner(MemorySegment seg, long base, int start, int end, int capEnd, int payload,
                               Tunnel tunnel, int id, long time, DecapResult out) {
        int wireLength = end - start;
        int capturedLength = capEnd - start;
        if (payload == PAYLOAD_ETHERNET) {
            if (wireLength < EthernetHeader.LENGTH) {
                return skip(Counter.INNER_TOO_SHORT, out);
            }
        } else {
            if (wireLength < 1 || capturedLength < 1) {
                return skip(Counter.INNER_TOO_SHORT, out);
            }
            int etherType = payload;
            if (payload == PAYLOAD_IP) {
                int version = u8(seg, base + start) >>> 4;
                if (version == 4) {
                    etherType = EthernetHeader.TYPE_IPV4;
                } else if (version == 6) {
                    etherType = EthernetHeader.TYPE_IPV6;
                } else {
                    return skip(Counter.INNER_IP_VERSION, out);
                }
            }
            out.setSyntheticEtherType(etherType);
            counters.increment(Counter.INNER_SYNTHETIC_ETHERNET);
        }
        out.segment = seg;
        out.offset = base + start;
        out.innerCaplen = capturedLength;
        out.innerWireLength = wireLength;
        out.timestampNanos = time;
        out.kind = tunnel.kind;
        out.erspanVersion = tunnel.erspanType;
        out.id = id;
        counters.increment(tunnel.counter);
        return INNER;
    }

    private DecapOutcome skip(Counter reason, DecapResult out) {
        counters.increment(reason);
        out.skipReason = reason;
        out.syntheticPrefix = false;
        return SKIPPED;
    }

    /**
     * The one place OTHER is counted, at the return that decides it (counting it once in
     * {@link #decapsulate} instead cost about 1 ns on packets that are not encapsulation, see
     * docs/decap-bench.md); reassembly takes the count back when a completed datagram is not ours.
     */
    private DecapOutcome other() {
        counters.increment(Counter.NOT_ENCAPSULATION);
        return OTHER;
    }
}
