package gulp.decap;

import java.lang.foreign.MemorySegment;

import static gulp.decap.Bytes.u16;
import static gulp.decap.Bytes.u8;

/**
 * Removes one level of ERSPAN (I, II, III), GRE transparent Ethernet bridging, VXLAN or Geneve
 * encapsulation from captured Ethernet frames, reading every header (never a fixed offset).
 * <p>
 * One instance per reader thread: not thread safe, no allocation per packet, no exceptions for
 * bad input (it is counted in {@link #counters()} and skipped).
 * <p>
 * Layers, outermost first, each a method chain the JIT compiles together: the outer link layer
 * here (Ethernet and its VLAN tags, Linux cooked, raw IP: {@link OuterLink}), the outer IP
 * datagram and its fragments in {@link OuterIp}, the GRE/UDP tunnel headers down to the inner
 * frame in {@link Tunnels} (ERSPAN III's hardware time in {@link ErspanTime}). Positions pass
 * from layer to layer as arguments, as they did between the methods of one class (a shared cursor
 * object measured 15–25 % slower, docs/decap-bench.md).
 */
public final class Decapsulator {
    private final DecapConfig config;
    private final DecapCounters counters = new DecapCounters();
    private final SequenceGapTracker gaps = new SequenceGapTracker();
    private final FragmentReassembler reassembler;
    private final OuterIp outerIp;
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
        this.protocolOffset = link.protocolOffset;
        this.networkOffset = link.headerLength;
        this.rawIpVersion = link.rawIpVersion;
        this.reassembler = new FragmentReassembler(counters, fragmentTimeoutNanos);
        this.outerIp = new OuterIp(config, counters, reassembler, new Tunnels(config, counters, gaps));
    }

    public DecapConfig config() { return config; }

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
     * {@code offset} in {@code pkt}, laid out as the {@link OuterLink} it was made for (Ethernet,
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
            return counters.other();
        }
        int type = u16(pkt, offset + protocolOffset);
        // A tag: its TPID sits where the protocol was; its control field and the next protocol follow.
        int ip = networkOffset;
        for (int tags = 0; EthernetHeader.isVlanTpid(type); tags++) {
            if (tags == EthernetHeader.MAX_VLAN_TAGS || ip + EthernetHeader.VLAN_TAG_LENGTH > cap) {
                return counters.other();
            }
            type = u16(pkt, offset + ip + EthernetHeader.VLAN_NEXT_TYPE_OFFSET - EthernetHeader.ETHERTYPE_LENGTH);
            ip += EthernetHeader.VLAN_TAG_LENGTH;
        }
        out.outerNetworkOffset = ip;
        if (type == EthernetHeader.TYPE_IPV4) {
            return outerIp.ipv4(pkt, offset, ip, cap, wirelen, tsNanos, out);
        }
        if (type == EthernetHeader.TYPE_IPV6) {
            return outerIp.ipv6(pkt, offset, ip, cap, wirelen, tsNanos, out);
        }
        return counters.other();
    }

    /** An IP packet with no link-layer header: the version from the link type, or from the packet's first nibble. */
    private DecapOutcome rawIp(MemorySegment pkt, long offset, int cap, int wirelen, long tsNanos, DecapResult out) {
        if (cap < 1) {
            return counters.other();
        }
        int version = rawIpVersion == OuterLink.Constants.VERSION_FROM_PACKET ? u8(pkt, offset) >>> 4 : rawIpVersion;
        out.outerNetworkOffset = 0;
        if (version == 4) {
            return outerIp.ipv4(pkt, offset, 0, cap, wirelen, tsNanos, out);
        }
        if (version == 6) {
            return outerIp.ipv6(pkt, offset, 0, cap, wirelen, tsNanos, out);
        }
        return counters.other();
    }
}
