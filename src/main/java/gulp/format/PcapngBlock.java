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
 * Interface Statistics (5)
 *  8 interface id, 12 timestamp high, 16 timestamp low, 20 options ...
 *
 * Option: code (16) | length (16) | value padded to 32 bits; code 0 ends the list.
 * if_tsresol (IDB option 9): one byte; MSB clear = 10^-n seconds, MSB set = 2^-n seconds.
 *
 * Options gulp writes (code, value):
 *  SHB  2 shb_hardware, 3 shb_os, 4 shb_userappl                       (UTF-8 strings)
 *  IDB  2 if_name, 3 if_description, 11 if_filter (first byte 0: the    (UTF-8 strings)
 *       filter expression follows), 12 if_os, 9 if_tsresol (1 byte: 9)
 *  EPB  2 epb_flags (32 bits, below), 4 epb_dropcount (64 bits)
 *  ISB  2 isb_starttime, 3 isb_endtime (timestamps: high word, low word),
 *       4 isb_ifrecv, 5 isb_ifdrop, 6 isb_filteraccept, 7 isb_osdrop,
 *       8 isb_usrdeliv (64-bit counts, in the section's byte order)
 *
 * epb_flags, bit 0 least significant:
 *  0-1 direction: 01 inbound, 10 outbound     2-4 reception: 001 unicast, 010 multicast,
 *  5-8 FCS length                                 011 broadcast, 100 promiscuous
 *  9 checksum not ready   10 checksum valid   11 TCP segmentation offloaded
 *  16-31 link-layer errors
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

    public static final int TYPE_INTERFACE_STATISTICS = 0x00000005;
    public static final int SHB_SECTION_LENGTH_OFFSET = 16;
    public static final int SHB_MAJOR_VERSION = 1;
    public static final int SHB_MINOR_VERSION = 0;
    /** Section length "not given": a writer that streams cannot know it. */
    public static final long SECTION_LENGTH_UNKNOWN = -1;

    public static final int ISB_INTERFACE_OFFSET = 8;
    public static final int ISB_TS_HIGH_OFFSET = 12;
    public static final int ISB_TS_LOW_OFFSET = 16;
    public static final int ISB_OPTIONS_OFFSET = 20;

    /** Option header: code (16) and length (16). */
    public static final int OPTION_HEADER_LENGTH = 4;

    public static final int SHB_OPTION_HARDWARE = 2;
    public static final int SHB_OPTION_OS = 3;
    public static final int SHB_OPTION_USERAPPL = 4;

    public static final int IDB_OPTION_NAME = 2;
    public static final int IDB_OPTION_DESCRIPTION = 3;
    public static final int IDB_OPTION_FILTER = 11;
    public static final int IDB_OPTION_OS = 12;
    /** if_filter's first byte: 0 = a libpcap filter expression follows. */
    public static final int IDB_FILTER_EXPRESSION = 0;

    public static final int EPB_OPTION_FLAGS = 2;
    public static final int EPB_OPTION_DROPCOUNT = 4;
    /** The fixed part of an enhanced packet block: its header up to the data, and the trailing length. */
    public static final int EPB_FIXED_LENGTH = EPB_DATA_OFFSET + 4;

    public static final int ISB_OPTION_STARTTIME = 2;
    public static final int ISB_OPTION_ENDTIME = 3;
    public static final int ISB_OPTION_IFRECV = 4;
    public static final int ISB_OPTION_IFDROP = 5;
    public static final int ISB_OPTION_FILTERACCEPT = 6;
    public static final int ISB_OPTION_OSDROP = 7;
    public static final int ISB_OPTION_USRDELIV = 8;

    /** epb_flags values. */
    public static final int FLAG_INBOUND = 0b01;
    public static final int FLAG_OUTBOUND = 0b10;
    public static final int FLAG_RECEPTION_SHIFT = 2;
    public static final int RECEPTION_UNICAST = 1;
    public static final int RECEPTION_MULTICAST = 2;
    public static final int RECEPTION_BROADCAST = 3;
    public static final int RECEPTION_PROMISCUOUS = 4;
    public static final int FLAG_CHECKSUM_NOT_READY = 1 << 9;
    public static final int FLAG_CHECKSUM_VALID = 1 << 10;

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

    /** {@code length} rounded up to a multiple of 4 (bodies and option values are padded to 32 bits). */
    public static int padded(int length) {
        return (length + 3) & ~3;
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
