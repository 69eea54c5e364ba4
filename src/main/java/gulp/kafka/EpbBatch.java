package gulp.kafka;

import gulp.format.PcapngBlock;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The value of one Kafka record: a sequence of complete pcapng Enhanced Packet Blocks, little-endian,
 * interface id 0, timestamps in nanoseconds (the interface's if_tsresol is 9, said in the record's
 * {@code format} header). Written on the sink's writer thread into a reused buffer; read back by
 * {@code kafka-consume}. (The pcapng output has its own EPB encoder in {@code format/}; this class
 * is the one place the Kafka code frames an EPB, to be switched to it.)
 *
 * <pre>
 * offset  field (32-bit little-endian unless said)
 *  0      block type = 6
 *  4      block total length = 32 + caplen padded to 4
 *  8      interface id = 0
 * 12      timestamp high (upper 32 bits of nanoseconds since the epoch)
 * 16      timestamp low  (lower 32 bits)
 * 20      captured length
 * 24      original length
 * 28      packet data, caplen bytes, zero-padded to a multiple of 4
 * len-4   block total length (again)
 * </pre>
 */
public final class EpbBatch {
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Type, length, interface, two timestamp words, two lengths, and the trailing length. */
    public static final int OVERHEAD = PcapngBlock.EPB_DATA_OFFSET + 4;

    private final byte[] buffer;
    private final MemorySegment segment;
    private int size;
    private int packets;
    private long firstNanos;
    private long lastNanos;
    private long startedAtNanos; // System.nanoTime() of the first packet

    public EpbBatch(int capacity) {
        this.buffer = new byte[capacity];
        this.segment = MemorySegment.ofArray(buffer);
    }

    /** Length of the EPB holding {@code caplen} bytes of packet data. */
    public static int blockLength(int caplen) {
        return OVERHEAD + PcapngBlock.padded(caplen);
    }

    public boolean fits(int caplen) {
        return size + blockLength(caplen) <= buffer.length;
    }

    /**
     * Appends one EPB whose data is {@code caplen} bytes of {@code source} at {@code offset} (the caller
     * checked {@link #fits}).
     */
    public void append(MemorySegment source, long offset, int caplen, int wirelen, long timestampNanos, long nowNanos) {
        int length = blockLength(caplen);
        int at = size;
        segment.set(INT, at + PcapngBlock.TYPE_OFFSET, PcapngBlock.TYPE_ENHANCED_PACKET);
        segment.set(INT, at + PcapngBlock.TOTAL_LENGTH_OFFSET, length);
        segment.set(INT, at + PcapngBlock.EPB_INTERFACE_OFFSET, 0);
        segment.set(INT, at + PcapngBlock.EPB_TS_HIGH_OFFSET, (int) (timestampNanos >>> 32));
        segment.set(INT, at + PcapngBlock.EPB_TS_LOW_OFFSET, (int) timestampNanos);
        segment.set(INT, at + PcapngBlock.EPB_CAPLEN_OFFSET, caplen);
        segment.set(INT, at + PcapngBlock.EPB_WIRELEN_OFFSET, wirelen);
        MemorySegment.copy(source, offset, segment, at + PcapngBlock.EPB_DATA_OFFSET, caplen);
        int padded = at + PcapngBlock.EPB_DATA_OFFSET + caplen;
        int end = at + length - 4;
        Arrays.fill(buffer, padded, end, (byte) 0);
        segment.set(INT, end, length);
        size += length;
        if (packets++ == 0) {
            firstNanos = timestampNanos;
            startedAtNanos = nowNanos;
        }
        lastNanos = timestampNanos;
    }

    public int size() {
        return size;
    }

    public int packets() {
        return packets;
    }

    public long firstNanos() {
        return firstNanos;
    }

    public long lastNanos() {
        return lastNanos;
    }

    public long startedAtNanos() {
        return startedAtNanos;
    }

    /** The blocks as a record value of its own (the producer keeps it until it is sent). */
    public byte[] toValue() {
        return Arrays.copyOf(buffer, size);
    }

    public void reset() {
        size = 0;
        packets = 0;
    }

    /**
     * Where each EPB of a record value starts, checked as {@link #forEach} checks them.
     *
     * @throws IllegalArgumentException at the first block that is not a well-formed EPB
     */
    public static int[] blockStarts(byte[] value) {
        MemorySegment in = MemorySegment.ofArray(value);
        int[] starts = new int[64];
        int count = 0;
        for (int at = 0; at < value.length; at += checkedLength(in, value.length, at)) {
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
            }
            starts[count++] = at;
        }
        return Arrays.copyOf(starts, count);
    }

    /** Timestamp (ns) of the EPB at {@code start} of {@code value}. */
    public static long timestampAt(MemorySegment value, int start) {
        return ((long) value.get(INT, start + PcapngBlock.EPB_TS_HIGH_OFFSET) << 32)
                | (value.get(INT, start + PcapngBlock.EPB_TS_LOW_OFFSET) & 0xFFFFFFFFL);
    }

    public static int capturedLengthAt(MemorySegment value, int start) {
        return value.get(INT, start + PcapngBlock.EPB_CAPLEN_OFFSET);
    }

    public static int originalLengthAt(MemorySegment value, int start) {
        return value.get(INT, start + PcapngBlock.EPB_WIRELEN_OFFSET);
    }

    /** Where the packet data of the EPB at {@code start} begins. */
    public static int dataAt(int start) {
        return start + PcapngBlock.EPB_DATA_OFFSET;
    }

    private static int checkedLength(MemorySegment in, int valueLength, int at) {
        if (valueLength - at < OVERHEAD) {
            throw new IllegalArgumentException("a truncated block at byte " + at);
        }
        int type = in.get(INT, at + PcapngBlock.TYPE_OFFSET);
        int length = in.get(INT, at + PcapngBlock.TOTAL_LENGTH_OFFSET);
        int caplen = in.get(INT, at + PcapngBlock.EPB_CAPLEN_OFFSET);
        if (type != PcapngBlock.TYPE_ENHANCED_PACKET || caplen < 0 || caplen > valueLength || length != blockLength(caplen)
                || length > valueLength - at || in.get(INT, at + length - 4) != length) {
            throw new IllegalArgumentException("not an enhanced packet block at byte " + at);
        }
        return length;
    }

    /** What {@link #forEach} hands each packet to. */
    public interface PacketVisitor {
        /** Packet data is {@code caplen} bytes of {@code value} at {@code dataOffset}. */
        void packet(byte[] value, int dataOffset, int caplen, int wirelen, long timestampNanos);
    }

    /**
     * Walks the EPBs of a record value in order.
     *
     * @throws IllegalArgumentException at the first block that is not a well-formed EPB (the
     *                                  packets before it were visited)
     */
    public static int forEach(byte[] value, PacketVisitor visitor) {
        MemorySegment in = MemorySegment.ofArray(value);
        int count = 0;
        for (int at = 0; at < value.length; count++) {
            int length = checkedLength(in, value.length, at);
            visitor.packet(value, dataAt(at), capturedLengthAt(in, at), originalLengthAt(in, at), timestampAt(in, at));
            at += length;
        }
        return count;
    }
}
