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
    /**
     * The largest captured length gulp reads or writes (and the largest {@code -s}): no real
     * packet is larger, a bigger length in an input means a corrupt file. libpcap stops at
     * {@link PcapFileHeader#DEFAULT_SNAPLEN} for most link types.
     */
    public static final int MAX_CAPLEN = 1 << 20;

    private PcapRecordHeader() {
    }

    /** The timestamp of a record whose seconds and fraction fields hold these words, in nanoseconds since the epoch. */
    public static long timestampNanos(int secondsField, int fractionField, boolean nanosecond) {
        return Timestamps.ofFraction(Integer.toUnsignedLong(secondsField), Integer.toUnsignedLong(fractionField), nanosecond);
    }

    /** The seconds field of a record stamped {@code timestampNanos}. */
    public static int secondsField(long timestampNanos) {
        return (int) Timestamps.seconds(timestampNanos);
    }

    /** The fraction field (micro- or nanoseconds) of a record stamped {@code timestampNanos}. */
    public static int fractionField(long timestampNanos, boolean nanosecond) {
        return (int) Timestamps.fraction(timestampNanos, nanosecond);
    }

    /** The whole record's length (header and data) for a captured-length field of {@code caplenField}. */
    public static long recordLength(int caplenField) {
        return LENGTH + Integer.toUnsignedLong(caplenField);
    }
}
