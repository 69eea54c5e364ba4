package gulp.format;

/**
 * Classic pcap record header, 16 bytes, followed by {@code caplen} bytes of packet data.
 *
 * <pre>
 * +---------------------------------------------------------------+
 * |            timestamp seconds (unsigned 32 bit)                |  0
 * |            timestamp microseconds or nanoseconds              |  4
 * |            captured length (caplen, bytes that follow)        |  8
 * |            original length on the wire                        | 12
 * +---------------------------------------------------------------+
 * |            caplen bytes of packet data ...                    | 16
 *
 * Kuznetzov's patched format (magic a1b2cd34) has 8 more bytes before the data:
 * |            interface index                                    | 16
 * |     protocol (16)             | packet type (8) |  pad (8)    | 20
 * </pre>
 */
public final class PcapRecordHeader {
    public static final int LENGTH = 16;
    public static final int KUZNETZOV_LENGTH = 24;
    public static final int TS_SECONDS_OFFSET = 0;
    public static final int TS_FRACTION_OFFSET = 4;
    public static final int CAPLEN_OFFSET = 8;
    public static final int WIRELEN_OFFSET = 12;

    private PcapRecordHeader() {
    }
}
