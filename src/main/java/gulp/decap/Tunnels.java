package gulp.decap;

import gulp.decap.DecapCounters.Counter;

import java.lang.foreign.MemorySegment;

import static gulp.decap.Bytes.u16;
import static gulp.decap.Bytes.u32;
import static gulp.decap.Bytes.u8;
import static gulp.decap.DecapOutcome.INNER;

/**
 * The tunnel layer of a {@link Decapsulator}: from the GRE or UDP header inside the outer IP
 * datagram (or a reassembled one) to the inner frame: GRE transparent Ethernet bridging, ERSPAN
 * I, II and III over GRE, VXLAN (and VXLAN-GPE's Ethernet and IP payloads) and Geneve over UDP.
 * The ERSPAN sessions' sequence numbers go to the {@link SequenceGapTracker}, ERSPAN III's
 * hardware time is read by {@link ErspanTime}.
 * <p>
 * Reader thread only, like its decapsulator; no allocation. Every position is passed as an argument
 * (no cursor object: one measured slower, docs/decap-bench.md).
 */
final class Tunnels {
    /** Payload kinds of {@link #inner}: an Ethernet frame, an IP packet of either version, or an EtherType. */
    static final int PAYLOAD_ETHERNET = 0;
    /** IP packet, version read from its first nibble. */
    static final int PAYLOAD_IP = 1;
    static final int PAYLOAD_IPV4 = EthernetHeader.TYPE_IPV4;
    static final int PAYLOAD_IPV6 = EthernetHeader.TYPE_IPV6;

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
    private final DecapCounters counters;
    private final SequenceGapTracker gaps;
    private final boolean erspan;
    private final boolean greBridging;
    private final boolean vxlan;
    private final boolean geneve;
    private final int vxlanPort;
    private final int genevePort;
    private final boolean hardwareTime;

    Tunnels(DecapConfig config, DecapCounters counters, SequenceGapTracker gaps) {
        this.config = config;
        this.counters = counters;
        this.gaps = gaps;
        this.erspan = config.enabled(EncapKind.ERSPAN);
        this.greBridging = config.enabled(EncapKind.GRE);
        this.vxlan = config.enabled(EncapKind.VXLAN);
        this.geneve = config.enabled(EncapKind.GENEVE);
        this.vxlanPort = config.vxlanPort();
        this.genevePort = config.genevePort();
        this.hardwareTime = config.useErspanHardwareTime();
    }

    /** Whether UDP to {@code port} is a tunnel decapsulated here (VXLAN's or Geneve's port, when enabled). */
    boolean udpPortIsOurs(int port) {
        return (vxlan && port == vxlanPort) || (geneve && port == genevePort);
    }

    /**
     * {@code start}: GRE/UDP header; {@code end}: end of the IP payload; {@code capEnd}: end of what was
     * captured of it.
     */
    DecapOutcome transport(MemorySegment seg, long base, int start, int end, int capEnd, int protocol, long ts,
                           DecapResult out) {
        return protocol == Ipv4Header.PROTOCOL_GRE
                ? gre(seg, base, start, end, capEnd, ts, out)
                : udp(seg, base, start, end, capEnd, ts, out);
    }

    private DecapOutcome udp(MemorySegment seg, long base, int udp, int end, int capEnd, long ts, DecapResult out) {
        if (udp + UdpHeader.DESTINATION_PORT_OFFSET + 2 > capEnd) {
            return counters.other();
        }
        int port = u16(seg, base + udp + UdpHeader.DESTINATION_PORT_OFFSET);
        boolean isVxlan = vxlan && port == vxlanPort;
        if (!isVxlan && !(geneve && port == genevePort)) { // udpPortIsOurs, with the kind kept
            return counters.other();
        }
        if (udp + UdpHeader.LENGTH > capEnd) {
            return counters.skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int udpLength = u16(seg, base + udp + UdpHeader.LENGTH_OFFSET);
        if (udpLength != 0) { // 0: jumbogram / GSO, to the end of the IP payload
            if (udpLength < UdpHeader.LENGTH || udp + udpLength > end) {
                return counters.skip(Counter.OUTER_LENGTH_BEYOND_PACKET, out);
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
            return counters.skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int flags = u8(seg, base + at + VxlanHeader.FLAGS_OFFSET);
        if ((flags & VxlanHeader.FLAG_VNI_VALID) == 0) {
            return counters.skip(Counter.VXLAN_NO_VNI_FLAG, out);
        }
        int payload = PAYLOAD_ETHERNET;
        if ((flags & VxlanHeader.FLAG_NEXT_PROTOCOL) != 0) {
            switch (u8(seg, base + at + VxlanHeader.NEXT_PROTOCOL_OFFSET)) {
                case VxlanHeader.NEXT_PROTOCOL_NONE, VxlanHeader.NEXT_PROTOCOL_ETHERNET -> payload = PAYLOAD_ETHERNET;
                case VxlanHeader.NEXT_PROTOCOL_IPV4 -> payload = PAYLOAD_IPV4;
                case VxlanHeader.NEXT_PROTOCOL_IPV6 -> payload = PAYLOAD_IPV6;
                default -> { return counters.skip(Counter.VXLAN_GPE_PROTOCOL, out); }
            }
        }
        int vni = VxlanHeader.vni(u32(seg, base + at + VxlanHeader.VNI_OFFSET));
        if (!config.vniAccepted(vni)) {
            return counters.skip(Counter.VNI_FILTERED, out);
        }
        return inner(seg, base, at + VxlanHeader.LENGTH, end, capEnd, payload, VXLAN, vni, ts, out);
    }

    private DecapOutcome geneve(MemorySegment seg, long base, int at, int end, int capEnd, long ts, DecapResult out) {
        if (at + GeneveHeader.BASE_LENGTH > capEnd) {
            return counters.skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int first = u8(seg, base + at + GeneveHeader.VERSION_OPTION_LENGTH_OFFSET);
        if (GeneveHeader.version(first) != 0) {
            return counters.skip(Counter.GENEVE_BAD_VERSION, out);
        }
        int length = GeneveHeader.length(first);
        if (at + length > capEnd) {
            return counters.skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int payload;
        switch (u16(seg, base + at + GeneveHeader.PROTOCOL_OFFSET)) {
            case EthernetHeader.TYPE_TRANSPARENT_ETHERNET -> payload = PAYLOAD_ETHERNET;
            case EthernetHeader.TYPE_IPV4 -> payload = PAYLOAD_IPV4;
            case EthernetHeader.TYPE_IPV6 -> payload = PAYLOAD_IPV6;
            default -> { return counters.skip(Counter.GENEVE_PROTOCOL, out); }
        }
        int vni = GeneveHeader.vni(u32(seg, base + at + GeneveHeader.VNI_OFFSET));
        if (!config.vniAccepted(vni)) {
            return counters.skip(Counter.VNI_FILTERED, out);
        }
        return inner(seg, base, at + length, end, capEnd, payload, GENEVE, vni, ts, out);
    }

    private DecapOutcome gre(MemorySegment seg, long base, int gre, int end, int capEnd, long ts, DecapResult out) {
        if (gre + GreHeader.BASE_LENGTH > capEnd) {
            return counters.skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int flags = u16(seg, base + gre + GreHeader.FLAGS_VERSION_OFFSET);
        if ((flags & GreHeader.VERSION_MASK) != 0) {
            return counters.skip(Counter.GRE_BAD_VERSION, out);
        }
        if ((flags & GreHeader.FLAG_ROUTING) != 0) {
            return counters.skip(Counter.GRE_ROUTING, out);
        }
        int greLength = GreHeader.length(flags);
        if (gre + greLength > capEnd) {
            return counters.skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int protocol = u16(seg, base + gre + GreHeader.PROTOCOL_OFFSET);
        boolean sequenced = (flags & GreHeader.FLAG_SEQUENCE) != 0;
        int after = gre + greLength;
        switch (protocol) {
            case GreHeader.PROTOCOL_ERSPAN_I_II -> {
                if (!erspan) {
                    return counters.other();
                }
                if (!sequenced) {
                    if (!config.sessionlessAccepted()) {
                        return counters.skip(Counter.SESSION_FILTERED, out);
                    }
                    return inner(seg, base, after, end, capEnd, PAYLOAD_ETHERNET, ERSPAN_I, DecapResult.NO_ID, ts,
                            out);
                }
                if (after + ErspanHeader.TYPE_II_LENGTH > capEnd) {
                    return counters.skip(Counter.TRUNCATED_ENCAPSULATION, out);
                }
                int word0 = u32(seg, base + after);
                if (ErspanHeader.version(word0) != ErspanHeader.VERSION_TYPE_II) {
                    return counters.skip(Counter.ERSPAN_UNKNOWN_VERSION, out);
                }
                int session = ErspanHeader.sessionId(word0);
                if (!config.sessionAccepted(session)) {
                    return counters.skip(Counter.SESSION_FILTERED, out);
                }
                gaps.observe(session, u32(seg, base + gre + GreHeader.sequenceOffset(flags)));
                return inner(seg, base, after + ErspanHeader.TYPE_II_LENGTH, end, capEnd, PAYLOAD_ETHERNET,
                        ERSPAN_II, session, ts, out);
            }
            case GreHeader.PROTOCOL_ERSPAN_III -> {
                if (!erspan) {
                    return counters.other();
                }
                return erspanIII(seg, base, gre, flags, after, end, capEnd, ts, out);
            }
            case GreHeader.PROTOCOL_TRANSPARENT_ETHERNET -> {
                if (!greBridging) {
                    return counters.other();
                }
                int key = (flags & GreHeader.FLAG_KEY) != 0
                        ? u32(seg, base + gre + GreHeader.keyOffset(flags))
                        : DecapResult.NO_ID;
                return inner(seg, base, after, end, capEnd, PAYLOAD_ETHERNET, GRE_BRIDGING, key, ts, out);
            }
            default -> { return counters.skip(Counter.GRE_NOT_BRIDGING, out); }
        }
    }

    private DecapOutcome erspanIII(MemorySegment seg, long base, int gre, int flags, int at, int end, int capEnd,
                                   long ts, DecapResult out) {
        if (at + ErspanHeader.TYPE_III_LENGTH > capEnd) {
            return counters.skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int word0 = u32(seg, base + at);
        if (ErspanHeader.version(word0) != ErspanHeader.VERSION_TYPE_III) {
            return counters.skip(Counter.ERSPAN_UNKNOWN_VERSION, out);
        }
        int word2 = u32(seg, base + at + ErspanHeader.TYPE_III_WORD2_OFFSET);
        boolean subHeader = ErspanHeader.hasSubHeader(word2);
        int headerLength = ErspanHeader.TYPE_III_LENGTH + (subHeader ? ErspanHeader.SUB_HEADER_LENGTH : 0);
        if (at + headerLength > capEnd) {
            return counters.skip(Counter.TRUNCATED_ENCAPSULATION, out);
        }
        int payload;
        switch (ErspanHeader.frameType(word2)) {
            case ErspanHeader.FRAME_TYPE_ETHERNET -> payload = PAYLOAD_ETHERNET;
            case ErspanHeader.FRAME_TYPE_IP -> payload = PAYLOAD_IP;
            default -> { return counters.skip(Counter.ERSPAN_FRAME_TYPE, out); }
        }
        int session = ErspanHeader.sessionId(word0);
        if (!config.sessionAccepted(session)) {
            return counters.skip(Counter.SESSION_FILTERED, out);
        }
        if ((flags & GreHeader.FLAG_SEQUENCE) != 0) {
            gaps.observe(session, u32(seg, base + gre + GreHeader.sequenceOffset(flags)));
        }
        long time = hardwareTime ? ErspanTime.of(seg, base + at, word2, subHeader, ts, counters) : ts;
        out.direction = ErspanHeader.egress(word2) ? DecapResult.DIRECTION_EGRESS : DecapResult.DIRECTION_INGRESS;
        return inner(seg, base, at + headerLength, end, capEnd, payload, ERSPAN_III, session, time, out);
    }

    private DecapOutcome inner(MemorySegment seg, long base, int start, int end, int capEnd, int payload,
                               Tunnel tunnel, int id, long time, DecapResult out) {
        int wireLength = end - start;
        int capturedLength = capEnd - start;
        if (payload == PAYLOAD_ETHERNET) {
            if (wireLength < EthernetHeader.LENGTH) {
                return counters.skip(Counter.INNER_TOO_SHORT, out);
            }
        } else {
            if (wireLength < 1 || capturedLength < 1) {
                return counters.skip(Counter.INNER_TOO_SHORT, out);
            }
            int etherType = payload;
            if (payload == PAYLOAD_IP) {
                int version = u8(seg, base + start) >>> 4;
                if (version == 4) {
                    etherType = EthernetHeader.TYPE_IPV4;
                } else if (version == 6) {
                    etherType = EthernetHeader.TYPE_IPV6;
                } else {
                    return counters.skip(Counter.INNER_IP_VERSION, out);
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
}
