package gulp.format;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PcapRecordHeaderTest {
    private static final long STAMP = 1_764_000_000_123_456_789L;

    @Test
    void timestampFieldsRoundTripInNanosecondsAndTruncateToMicroseconds() {
        int seconds = PcapRecordHeader.secondsField(STAMP);
        assertEquals(1_764_000_000, seconds);
        assertEquals(123_456_789, PcapRecordHeader.fractionField(STAMP, true));
        assertEquals(123_456, PcapRecordHeader.fractionField(STAMP, false));
        assertEquals(STAMP, PcapRecordHeader.timestampNanos(seconds, PcapRecordHeader.fractionField(STAMP, true), true));
        assertEquals(STAMP - 789, PcapRecordHeader.timestampNanos(seconds, PcapRecordHeader.fractionField(STAMP, false), false));
    }

    @Test
    void secondsFieldsAbove2To31AreReadUnsigned() {
        // 2106-02-07: the last second a pcap record can hold.
        assertEquals(0xFFFFFFFFL * Timestamps.NANOS_PER_SECOND + 5_000, PcapRecordHeader.timestampNanos(-1, 5, false));
        assertEquals(-1, PcapRecordHeader.secondsField(0xFFFFFFFFL * Timestamps.NANOS_PER_SECOND));
    }

    @Test
    void aStampBefore1970RoundsDownToTheSecondBefore() {
        assertEquals(-1, Timestamps.seconds(-1));
        assertEquals(999_999_999, Timestamps.fraction(-1, true));
        assertEquals(999_999, Timestamps.fraction(-1, false));
    }

    @Test
    void recordLengthIsTheHeaderPlusTheUnsignedCapturedLength() {
        assertEquals(16 + 1514, PcapRecordHeader.recordLength(1514));
        assertEquals(16 + 0xFFFFFFFFL, PcapRecordHeader.recordLength(-1));
    }
}
