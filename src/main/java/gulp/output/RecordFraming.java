package gulp.output;

import gulp.format.PcapRecordHeader;
import gulp.ring.ByteRing;

/**
 * How the writer finds record boundaries in the ring's byte stream, so it can count records and
 * cut files between them. The stream is what {@link PcapRecordEncoder} wrote.
 */
public interface RecordFraming {
    /** Length of the record starting at {@code position} (its header must be published). */
    long recordLength(ByteRing.Consumer ring, long position);

    /** Timestamp of the record at {@code position}, in nanoseconds since the epoch. */
    long timestampNanos(ByteRing.Consumer ring, long position);

    /** Classic pcap records as written by {@link PcapRecordEncoder}. */
    static RecordFraming pcap(boolean nanosecond) {
        return new RecordFraming() {
            @Override
            public long recordLength(ByteRing.Consumer ring, long position) {
                return PcapRecordHeader.LENGTH
                        + (ring.intLittleEndianAt(position + PcapRecordHeader.CAPLEN_OFFSET) & 0xFFFFFFFFL);
            }

            @Override
            public long timestampNanos(ByteRing.Consumer ring, long position) {
                long seconds = ring.intLittleEndianAt(position + PcapRecordHeader.TS_SECONDS_OFFSET) & 0xFFFFFFFFL;
                long fraction = ring.intLittleEndianAt(position + PcapRecordHeader.TS_FRACTION_OFFSET) & 0xFFFFFFFFL;
                return seconds * 1_000_000_000L + (nanosecond ? fraction : fraction * 1000);
            }
        };
    }
}
