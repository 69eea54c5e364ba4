package gulp.format;

import gulp.decap.EthernetHeader;
import gulp.ring.ByteRing;
import gulp.ring.ByteRingConsumer;
import gulp.testing.Frames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PcapRecordEncoderTest {
    private static final long STAMP = 1_764_000_000_123_456_789L;

    private static MemorySegment frame(int length) {
        return MemorySegment.ofArray(Frames.counting(length));
    }

    @Test
    void theVlanTagGoesWhereTheEthernetDescriptorPutsTheEtherTypeAndIsAsLongAsItsTag() {
        assertEquals(EthernetHeader.ETHERTYPE_OFFSET, PcapRecordEncoder.VLAN_INSERT_OFFSET);
        assertEquals(EthernetHeader.VLAN_TAG_LENGTH, PcapRecordEncoder.VLAN_TAG_LENGTH);
    }

    @Test
    void recordsAreWalkedBackByTheEncodersFramingThroughTheRingsEnd() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(4099, arena); // records straddle the end as it wraps
            RecordEncoder encoder = new PcapRecordEncoder(true, 200);
            RecordFraming framing = encoder.framing();
            ByteRingConsumer consumer = ring.consumer();
            for (int i = 0; i < 200; i++) {
                int caplen = 20 + 37 * i % 300;
                long length = encoder.append(ring.producer(), STAMP + i, 0, 0, 0, frame(caplen), 0, caplen, caplen + 4);
                assertEquals(16 + Math.min(caplen, 200), length, "record " + i + " is cut to the snap length");
                ring.producer().publish();
                consumer.refresh();
                long at = consumer.head();
                assertEquals(length, framing.recordLength(consumer, at));
                assertEquals(STAMP + i, framing.timestampNanos(consumer, at));
                consumer.release(length);
            }
        }
    }

    @Test
    void microsecondRecordsKeepWholeMicrosecondsAndTheWireLengthAtLeastTheCapturedOne() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(4096, arena);
            RecordEncoder encoder = new PcapRecordEncoder(false, PcapFileHeader.DEFAULT_SNAPLEN);
            encoder.append(ring.producer(), STAMP, 0, 0, 0, frame(60), 0, 60, 50);
            ring.producer().publish();
            ByteRingConsumer consumer = ring.consumer();
            consumer.refresh();
            MemorySegment record = consumer.slice(16 + 60);
            assertEquals(PcapRecordHeader.secondsField(STAMP), record.get(Endian.INT_LE, PcapRecordHeader.TS_SECONDS_OFFSET));
            assertEquals(123_456, record.get(Endian.INT_LE, PcapRecordHeader.TS_FRACTION_OFFSET));
            assertEquals(60, record.get(Endian.INT_LE, PcapRecordHeader.CAPLEN_OFFSET));
            assertEquals(60, record.get(Endian.INT_LE, PcapRecordHeader.WIRELEN_OFFSET));
            assertEquals(STAMP - 789, encoder.framing().timestampNanos(consumer, consumer.head()));
        }
    }

    @Test
    void aVlanTagGoesBackAfterTheMacAddresses() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(4096, arena);
            RecordEncoder encoder = new PcapRecordEncoder(true, PcapFileHeader.DEFAULT_SNAPLEN);
            long length = encoder.appendWithVlanTag(ring.producer(), STAMP, 0, 0, 0, 0x8100_0064, frame(60), 0, 60, 60);
            assertEquals(16 + 64, length);
            ring.producer().publish();
            ByteRingConsumer consumer = ring.consumer();
            consumer.refresh();
            byte[] data = consumer.slice(length).asSlice(16).toArray(ValueLayout.JAVA_BYTE);
            byte[] expected = new byte[64];
            byte[] original = frame(60).toArray(ValueLayout.JAVA_BYTE);
            System.arraycopy(original, 0, expected, 0, 12);
            expected[12] = (byte) 0x81;
            expected[13] = 0x00;
            expected[14] = 0x00;
            expected[15] = 0x64;
            System.arraycopy(original, 12, expected, 16, 48);
            assertArrayEquals(expected, data);
            assertEquals(64, encoder.framing().recordLength(consumer, consumer.head()) - 16);
        }
    }

    @Test
    void theFileHeaderIsLittleEndianWithTheEncodersResolutionAndSnapLength() {
        byte[] header = new PcapRecordEncoder(true, 1514).fileHeader(LinkType.RAW);
        assertArrayEquals(PcapFileHeader.encode(java.nio.ByteOrder.LITTLE_ENDIAN, true, 1514, LinkType.RAW), header);
    }
}
