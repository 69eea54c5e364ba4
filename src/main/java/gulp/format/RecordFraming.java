package gulp.format;

import gulp.ring.ByteRing;

/**
 * How the writer finds record boundaries in the ring's byte stream, so it can count records and
 * cut files between them. The stream is what a {@link RecordEncoder} wrote; each encoder gives its
 * framing ({@link RecordEncoder#framing()}).
 */
public interface RecordFraming {
    /** Length of the record starting at {@code position} (its header must be published). */
    long recordLength(ByteRing.Consumer ring, long position);

    /** Timestamp of the record at {@code position}, in nanoseconds since the epoch. */
    long timestampNanos(ByteRing.Consumer ring, long position);

    /** Classic pcap records as written by {@link PcapRecordEncoder} (little-endian {@link PcapRecordHeader}s). */
    static RecordFraming pcap(boolean nanosecond) {
        return new RecordFraming() {
            @Override
            public long recordLength(ByteRing.Consumer ring, long position) {
                return PcapRecordHeader.recordLength(ring.intLittleEndianAt(position + PcapRecordHeader.CAPLEN_OFFSET));
            }

            @Override
            public long timestampNanos(ByteRing.Consumer ring, long position) {
                return PcapRecordHeader.timestampNanos(ring.intLittleEndianAt(position + PcapRecordHeader.TS_SECONDS_OFFSET),
                        ring.intLittleEndianAt(position + PcapRecordHeader.TS_FRACTION_OFFSET), nanosecond);
            }
        };
    }
}
