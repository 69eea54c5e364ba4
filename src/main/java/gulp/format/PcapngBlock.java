package gulp.format;

import java.nio.ByteOrder;

/**
 * pcapng blocks (draft-ietf-opsawg-pcapng). Every block has the same frame; bodies are padded to
 * 32 bits; the byte order of a section is fixed by its Section Header Block's magic.
 *
 * <pre>
 * +---------------------------------------------------------------+
 * |                        block type                             |  0
 * |                        block total length                     |  4
 * /                        block body ...                         /  8
 * |                        block total length (again)             |  len-4
 * +---------------------------------------------------------------+
 *
 * Section Header (0x0A0D0D0A)      Interface Description (1)       Enhanced Packet (6)
 *  8 byte-order magic 1A2B3C4D      8 link type (16) | reserved     8 interface id
 * 12 major (16) | minor (16)       12 snaplen                      12 timestamp high
 * 16 section length (64, -1)       16 options ...                  16 timestamp low
 * 24 options ...                                                   20 captured length
 *                                                                  24 original length
 * Simple Packet (3)                Obsolete Packet (2)             28 data ... options
 *  8 original length                8 interface id (16) | drops(16)
 * 12 data ...                      12 ts high, 16 ts low, 20 caplen, 24 len, 28 data
 *
 * Option: code (16) | length (16) | value padded to 32 bits; code 0 ends the list.
 * if_tsresol (IDB option 9): one byte; MSB clear = 10^-n seconds, MSB set = 2^-n seconds.
 * </pre>
 */
public final class PcapngBlock {
    public static final int TYPE_OFFSET = 0;
    public static final int TOTAL_LENGTH_OFFSET = 4;
    public static final int BODY_OFFSET = 8;
    /** Type + length at the front, length again at the end. */
    public static final int FRAME_OVERHEAD = 12;

    public static final int TYPE_SECTION_HEADER = 0x0A0D0D0A;
    public static final int TYPE_INTERFACE_DESCRIPTION = 0x00000001;
    public static final int TYPE_OBSOLETE_PACKET = 0x00000002;
    public static final int TYPE_SIMPLE_PACKET = 0x00000003;
    public static final int TYPE_ENHANCED_PACKET = 0x00000006;

    public static final int SHB_BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    public static final int SHB_BYTE_ORDER_MAGIC_OFFSET = 8;
    public static final int SHB_MAJOR_OFFSET = 12;
    public static final int SHB_OPTIONS_OFFSET = 24;

    public static final int IDB_LINKTYPE_OFFSET = 8;
    public static final int IDB_SNAPLEN_OFFSET = 12;
    public static final int IDB_OPTIONS_OFFSET = 16;
    public static final int IDB_OPTION_TSRESOL = 9;
    /** if_tsoffset: 64-bit seconds added to every timestamp of the interface. */
    public static final int IDB_OPTION_TSOFFSET = 14;
    /** The largest block libpcap reads (its initial maximum block size): 16 MiB. */
    public static final int MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

    public static final int EPB_INTERFACE_OFFSET = 8;
    public static final int EPB_TS_HIGH_OFFSET = 12;
    public static final int EPB_TS_LOW_OFFSET = 16;
    public static final int EPB_CAPLEN_OFFSET = 20;
    public static final int EPB_WIRELEN_OFFSET = 24;
    public static final int EPB_DATA_OFFSET = 28;

    public static final int SPB_WIRELEN_OFFSET = 8;
    public static final int SPB_DATA_OFFSET = 12;

    public static final int OPB_INTERFACE_OFFSET = 8;
    public static final int OPB_TS_HIGH_OFFSET = 12;
    public static final int OPB_TS_LOW_OFFSET = 16;
    public static final int OPB_CAPLEN_OFFSET = 20;
    public static final int OPB_WIRELEN_OFFSET = 24;
    public static final int OPB_DATA_OFFSET = 28;

    public static final int OPTION_END = 0;

    private PcapngBlock() {
    }

    /**
     * The byte order of a section whose Section Header Block holds {@code magic} (read
     * little-endian) at {@link #SHB_BYTE_ORDER_MAGIC_OFFSET}; null if it is neither.
     */
    public static ByteOrder byteOrder(int magic) {
        if (magic == SHB_BYTE_ORDER_MAGIC) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        return magic == Integer.reverseBytes(SHB_BYTE_ORDER_MAGIC) ? ByteOrder.BIG_ENDIAN : null;
    }

    /** The blocks that hold a packet (enhanced, simple and obsolete packet blocks). */
    public static boolean isPacketBlock(int type) {
        return type == TYPE_ENHANCED_PACKET || type == TYPE_SIMPLE_PACKET || type == TYPE_OBSOLETE_PACKET;
    }

    /** A packet timestamp in units of its interface's resolution: two 32-bit halves, high first. */
    public static long timestampUnits(int high, int low) {
        return Integer.toUnsignedLong(high) << 32 | Integer.toUnsignedLong(low);
    }

    /**
     * A 64-bit option value (such as {@code if_tsoffset}) from its two 32-bit words as read in the
     * section's byte order, first word first.
     */
    public static long optionLong(int first, int second, ByteOrder order) {
        return order == ByteOrder.BIG_ENDIAN ? timestampUnits(first, second) : timestampUnits(second, first);
    }

    /** A packet timestamp of an interface with {@code if_tsresol} {@code tsresol} and {@code if_tsoffset} {@code offsetSeconds}, in nanoseconds. */
    public static long timestampNanos(long units, int tsresol, long offsetSeconds) {
        return Timestamps.ofUnits(units, tsresol) + offsetSeconds * Timestamps.NANOS_PER_SECOND;
    }
}
