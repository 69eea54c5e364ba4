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

    public static final short VERSION_MAJOR = 2;
    public static final short VERSION_MINOR = 4;

    public static final int LINKTYPE_ETHERNET = 1;

    private PcapFileHeader() {
    }
}
