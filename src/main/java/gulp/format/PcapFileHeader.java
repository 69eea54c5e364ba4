package gulp.format;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Classic pcap file header (pcap-savefile(5)), 24 bytes, in the writer's byte order.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                     magic (a1b2c3d4 or a1b23c4d)              |  0
 * +-------------------------------+-------------------------------+
 * |        version major (2)      |       version minor (4)       |  4
 * +-------------------------------+-------------------------------+
 * |                    thiszone (0)                               |  8
 * |                    sigfigs (0)                                | 12
 * |                    snaplen                                    | 16
 * |                    link type                                  | 20
 * +---------------------------------------------------------------+
 *
 * The magic, read little-endian, gives the byte order of every field and record, the timestamp
 * resolution and the record header length; the link-type field is read as {@link LinkType} says.
 * </pre>
 */
public final class PcapFileHeader {
    public static final int LENGTH = 24;
    public static final int MAGIC_OFFSET = 0;
    public static final int VERSION_MAJOR_OFFSET = 4;
    public static final int VERSION_MINOR_OFFSET = 6;
    public static final int THISZONE_OFFSET = 8;
    public static final int SIGFIGS_OFFSET = 12;
    public static final int SNAPLEN_OFFSET = 16;
    public static final int LINKTYPE_OFFSET = 20;

    /** Microsecond timestamps, as read in the writer's byte order. */
    public static final int MAGIC_MICROS = 0xa1b2c3d4;
    /** Nanosecond timestamps. */
    public static final int MAGIC_NANOS = 0xa1b23c4d;
    public static final int MAGIC_MICROS_SWAPPED = 0xd4c3b2a1;
    public static final int MAGIC_NANOS_SWAPPED = 0x4d3cb2a1;
    /**
     * Alexey Kuznetzov's patched libpcap (microseconds; 24-byte record headers, see
     * {@link PcapRecordHeader#KUZNETZOV_LENGTH}); libpcap reads it.
     */
    public static final int MAGIC_KUZNETZOV = 0xa1b2cd34;
    public static final int MAGIC_KUZNETZOV_SWAPPED = 0x34cdb2a1;

    public static final short VERSION_MAJOR = 2;
    public static final short VERSION_MINOR = 4;

    /** libpcap's MAXIMUM_SNAPLEN, what tcpdump keeps by default; gulp's default {@code -s}. */
    public static final int DEFAULT_SNAPLEN = 262_144;

    /**
     * The byte order of a file whose magic, read little-endian, is {@code magic}; null if it is
     * not a classic pcap magic.
     */
    public static ByteOrder byteOrder(int magic) {
        return switch (magic) {
            case MAGIC_MICROS, MAGIC_NANOS, MAGIC_KUZNETZOV -> ByteOrder.LITTLE_ENDIAN;
            case MAGIC_MICROS_SWAPPED, MAGIC_NANOS_SWAPPED, MAGIC_KUZNETZOV_SWAPPED -> ByteOrder.BIG_ENDIAN;
            default -> null;
        };
    }

    /** Whether the records of a file with this magic (read little-endian) have nanosecond timestamps. */
    public static boolean nanosecond(int magic) {
        return magic == MAGIC_NANOS || magic == MAGIC_NANOS_SWAPPED;
    }

    /** The record header length of a file with this magic (read little-endian). */
    public static int recordHeaderLength(int magic) {
        return magic == MAGIC_KUZNETZOV || magic == MAGIC_KUZNETZOV_SWAPPED
                ? PcapRecordHeader.KUZNETZOV_LENGTH : PcapRecordHeader.LENGTH;
    }

    /**
     * A version 2.4 file header in {@code order}, micro- or nanosecond, with {@code snaplen} and
     * the link-type field {@code linkTypeField} (upper bits included).
     */
    public static byte[] encode(ByteOrder order, boolean nanosecond, int snaplen, int linkTypeField) {
        MemorySegment header = MemorySegment.ofArray(new byte[LENGTH]);
        boolean big = order == ByteOrder.BIG_ENDIAN;
        ValueLayout.OfInt intLayout = big ? Endian.INT_BE : Endian.INT_LE;
        ValueLayout.OfShort shortLayout = big ? Endian.SHORT_BE : Endian.SHORT_LE;
        header.set(intLayout, MAGIC_OFFSET, nanosecond ? MAGIC_NANOS : MAGIC_MICROS);
        header.set(shortLayout, VERSION_MAJOR_OFFSET, VERSION_MAJOR);
        header.set(shortLayout, VERSION_MINOR_OFFSET, VERSION_MINOR);
        header.set(intLayout, SNAPLEN_OFFSET, snaplen);
        header.set(intLayout, LINKTYPE_OFFSET, linkTypeField);
        return header.toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * The record lengths of a file of this version are stored (captured, original) swapped: before
     * version 2.3 and in DG/UX's 543.0 (libpcap swaps them back).
     */
    public static boolean lengthsSwapped(int major, int minor) {
        return (major == 2 && minor < 3) || (major == 543 && minor == 0);
    }

    /** Version 2.3 files were written both ways; libpcap swaps the lengths when captured > original. */
    public static boolean lengthsMaybeSwapped(int major, int minor) {
        return major == 2 && minor == 3;
    }

    private PcapFileHeader() {
    }
}
