package gulp.format;

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
 * The link-type field (libpcap's LT_LINKTYPE / LT_LINKTYPE_EXT, pcap-savefile(5)):
 *   bits 31-28  FCS length in 16-bit words     bit 26  FCS length present
 *   bit  27     reserved                        bits 25-0  the LINKTYPE_ value
 * libpcap takes the LINKTYPE_ value as field & 0x03FFFFFF and copies the upper six bits
 * unchanged to a file it writes from this one.
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

    public static final int LINKTYPE_ETHERNET = 1;
    /** LT_LINKTYPE: the bits of the field that hold the LINKTYPE_ value. */
    public static final int LINKTYPE_MASK = 0x03FFFFFF;
    /** LT_LINKTYPE_EXT: the upper bits (FCS length), kept as they are. */
    public static final int LINKTYPE_EXT_MASK = 0xFC000000;

    /** The LINKTYPE_ value of a link-type field, as libpcap reads it. */
    public static int linkType(int field) {
        return field & LINKTYPE_MASK;
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
