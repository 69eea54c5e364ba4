package gulp.decap;

import java.lang.foreign.MemorySegment;

/**
 * Where the inner frame of an {@link Decapsulator#INNER} outcome is. Reused for every packet;
 * valid until the next call to {@link Decapsulator#decapsulate}.
 * <p>
 * The record to write is: the 14-byte {@link #syntheticPrefix()} if {@link #hasSyntheticPrefix()},
 * then {@link #innerCaplen()} bytes of {@link #segment()} from {@link #offset()}. Its original
 * length is {@link #recordWireLength()}.
 */
public final class DecapResult {
    /** No session id or VNI (ERSPAN type I, GRE without key). */
    public static final int NO_ID = -1;
    /** The mirror carries no direction (every kind but ERSPAN type III). */
    public static final int DIRECTION_UNKNOWN = 0;
    /** ERSPAN type III, D = 0: the frame came into the mirrored port. */
    public static final int DIRECTION_INGRESS = 1;
    /** ERSPAN type III, D = 1: the frame left through the mirrored port. */
    public static final int DIRECTION_EGRESS = 2;

    private final byte[] prefixBytes = new byte[EthernetHeader.LENGTH];
    private final MemorySegment prefix = MemorySegment.ofArray(prefixBytes);

    MemorySegment segment;
    long offset;
    int innerCaplen;
    int innerWireLength;
    boolean syntheticPrefix;
    long timestampNanos;
    EncapKind kind;
    int erspanVersion;
    int id = NO_ID;
    int direction = DIRECTION_UNKNOWN;
    boolean reassembled;
    int outerNetworkOffset;
    DecapCounters.Counter skipReason;

    /**
     * Where the outermost IP header starts in the captured frame (after its link header and VLAN
     * tags; 0 for raw IP): the mirror's source address is read there.
     */
    public int outerNetworkOffset() { return outerNetworkOffset; }

    /** The packet segment, or the reassembly buffer for a reassembled outer datagram. */
    public MemorySegment segment() { return segment; }

    /** Offset of the inner frame (or inner IP packet if {@link #hasSyntheticPrefix()}) in {@link #segment()}. */
    public long offset() { return offset; }

    /** Captured bytes of the inner frame at {@link #offset()} (prefix not included). */
    public int innerCaplen() { return innerCaplen; }

    /** Length of the inner frame on the wire (prefix not included). */
    public int innerWireLength() { return innerWireLength; }

    /** True when the payload is an IP packet and a 14-byte Ethernet header must be written first. */
    public boolean hasSyntheticPrefix() { return syntheticPrefix; }

    /** The synthetic Ethernet header (00:00:00:00:00:00 both ways, EtherType of the inner IP version). */
    public MemorySegment syntheticPrefix() { return prefix; }

    /** Same bytes as {@link #syntheticPrefix()}, for callers that copy from arrays. */
    public byte[] syntheticPrefixBytes() { return prefixBytes; }

    /** Captured length of the record to write: prefix (if any) plus inner caplen. */
    public int recordCaplen() { return innerCaplen + (syntheticPrefix ? EthernetHeader.LENGTH : 0); }

    /** Original length of the record to write: prefix (if any) plus inner wire length. */
    public int recordWireLength() { return innerWireLength + (syntheticPrefix ? EthernetHeader.LENGTH : 0); }

    /**
     * Copies the record (synthetic prefix if any, then the inner bytes) to {@code target} at
     * {@code at}, at most {@code maxBytes} of it (the snaplen); returns the number of bytes copied.
     */
    public int copyTo(MemorySegment target, long at, int maxBytes) {
        int total = Math.min(recordCaplen(), Math.max(0, maxBytes));
        int fromPrefix = syntheticPrefix ? Math.min(total, EthernetHeader.LENGTH) : 0;
        if (fromPrefix > 0) MemorySegment.copy(prefix, 0, target, at, fromPrefix);
        MemorySegment.copy(segment, offset, target, at + fromPrefix, total - fromPrefix);
        return total;
    }

    /** Timestamp to write, nanoseconds since the epoch (arrival time, or ERSPAN III hardware time). */
    public long timestampNanos() { return timestampNanos; }

    public EncapKind kind() { return kind; }

    /** ERSPAN type 1, 2 or 3 (0 for other kinds). */
    public int erspanType() { return erspanVersion; }

    /** ERSPAN session id, VXLAN/Geneve VNI, GRE key, or {@link #NO_ID}. */
    public int id() { return id; }

    /**
     * The frame's direction at the mirrored port: {@link #DIRECTION_INGRESS}, {@link #DIRECTION_EGRESS}
     * (ERSPAN type III's D bit), or {@link #DIRECTION_UNKNOWN}.
     */
    public int direction() { return direction; }

    /** True when the outer datagram was reassembled from IP fragments (segment is the reassembly buffer). */
    public boolean reassembled() { return reassembled; }

    /** Why a {@link Decapsulator#SKIPPED} packet was skipped (null otherwise). */
    public DecapCounters.Counter skipReason() { return skipReason; }

    void setSyntheticEtherType(int etherType) {
        syntheticPrefix = true;
        prefixBytes[EthernetHeader.ETHERTYPE_OFFSET] = (byte) (etherType >>> 8);
        prefixBytes[EthernetHeader.ETHERTYPE_OFFSET + 1] = (byte) etherType;
    }
}
