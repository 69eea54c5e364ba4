package gulp.format;

import gulp.ring.ByteRing;
import gulp.ring.ByteRingConsumer;
import gulp.stats.CaptureCounters;
import gulp.stats.InterfaceFigures;
import gulp.testing.Frames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PcapngRecordEncoderTest {
    private static final long STAMP = 1_764_000_000_123_456_789L;

    private static MemorySegment frame(int length) {
        return MemorySegment.ofArray(Frames.counting(length));
    }

    private static byte[] bytesAt(ByteRingConsumer consumer, long length) {
        return consumer.slice(length).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void enhancedPacketBlocksAreWalkedBackByTheFramingThroughTheRingsEnd() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(4099, arena); // blocks straddle the end as it wraps
            RecordEncoder encoder = new PcapngRecordEncoder(200, "Linux");
            RecordFraming framing = encoder.framing();
            ByteRingConsumer consumer = ring.consumer();
            for (int i = 0; i < 300; i++) {
                int caplen = 20 + 37 * i % 300;
                int flags = i % 3 == 0 ? 0 : PcapngBlock.FLAG_OUTBOUND;
                long drops = i % 5 == 0 ? i : 0;
                long length = encoder.append(ring.producer(), STAMP + i, i % 7, flags, drops, frame(caplen), 0, caplen, caplen + 4);
                int stored = Math.min(caplen, 200);
                int options = (flags != 0 ? 8 : 0) + (drops > 0 ? 12 : 0);
                assertEquals(32 + PcapngBlock.padded(stored) + options + (options > 0 ? 4 : 0), length, "block " + i);
                ring.producer().publish();
                consumer.refresh();
                long at = consumer.head();
                assertTrue(framing.isPacket(consumer, at));
                assertEquals(length, framing.recordLength(consumer, at));
                assertEquals(STAMP + i, framing.timestampNanos(consumer, at), "nanoseconds");
                assertEquals(i % 7, framing.interfaceId(consumer, at));
                assertEquals(stored, framing.capturedLength(consumer, at));
                assertEquals(PcapngBlock.EPB_DATA_OFFSET, framing.dataOffset(consumer, at));
                assertEquals((int) length, consumer.intLittleEndianAt(at + length - 4), "trailing length");
                consumer.release(length);
            }
        }
    }

    @Test
    void theIndexReadsAPacketsTimestampAndCapturedLengthInPlaceAsTheWalkDoes() {
        long[] stamps = {STAMP, 0xFFFF_FFFFL, 1L << 32, 5L << 32 | 0x8000_0001L, Long.MAX_VALUE};
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(4096, arena);
            RecordEncoder encoder = new PcapngRecordEncoder(65535, "Linux");
            RecordFraming framing = encoder.framing();
            ByteRingConsumer consumer = ring.consumer();
            for (long stamp : stamps) {
                long length = encoder.append(ring.producer(), stamp, 1, 0, 0, frame(45), 0, 45, 60);
                ring.producer().publish();
                consumer.refresh();
                long at = consumer.head();
                long index = at % ring.capacity();
                assertEquals(stamp, framing.packetTimestampAt(ring.buffer(), index), "in place");
                assertEquals(stamp, framing.timestampNanos(consumer, at), "through the ring");
                assertEquals(45, framing.packetCapturedLengthAt(ring.buffer(), index));
                consumer.release(length);
            }
        }
    }

    @Test
    void flagsAndDropCountAreOptionsAfterThePaddedData() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(4096, arena);
            RecordEncoder encoder = new PcapngRecordEncoder(65535, "Linux");
            long length = encoder.append(ring.producer(), STAMP, 2, 0x401, 7, frame(61), 0, 61, 61);
            ring.producer().publish();
            ByteRingConsumer consumer = ring.consumer();
            consumer.refresh();
            ByteBuffer b = ByteBuffer.wrap(bytesAt(consumer, length)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(PcapngBlock.TYPE_ENHANCED_PACKET, b.getInt(0));
            assertEquals(2, b.getInt(PcapngBlock.EPB_INTERFACE_OFFSET));
            assertEquals(STAMP, PcapngBlock.timestampUnits(b.getInt(PcapngBlock.EPB_TS_HIGH_OFFSET), b.getInt(PcapngBlock.EPB_TS_LOW_OFFSET)));
            int options = PcapngBlock.EPB_DATA_OFFSET + 64; // 61 bytes padded
            assertEquals(0, b.get(options - 1), "padding is zero");
            assertEquals(PcapngBlock.EPB_OPTION_FLAGS | 4 << 16, b.getInt(options));
            assertEquals(0x401, b.getInt(options + 4));
            assertEquals(PcapngBlock.EPB_OPTION_DROPCOUNT | 8 << 16, b.getInt(options + 8));
            assertEquals(7, b.getLong(options + 12));
            assertEquals(0, b.getInt(options + 20), "end of options");
        }
    }

    @Test
    void aVlanTagGoesBackAfterTheMacAddresses() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(4096, arena);
            RecordEncoder encoder = new PcapngRecordEncoder(65535, "Linux");
            long length = encoder.appendWithVlanTag(ring.producer(), STAMP, 0, 0, 0, 0x8100_0064, frame(60), 0, 60, 60);
            assertEquals(32 + 64, length);
            ring.producer().publish();
            ByteRingConsumer consumer = ring.consumer();
            consumer.refresh();
            byte[] block = bytesAt(consumer, length);
            assertEquals(64, ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).getInt(PcapngBlock.EPB_CAPLEN_OFFSET));
            assertArrayEquals(new byte[] {(byte) 0x81, 0, 0, 0x64},
                    java.util.Arrays.copyOfRange(block, PcapngBlock.EPB_DATA_OFFSET + 12, PcapngBlock.EPB_DATA_OFFSET + 16));
        }
    }

    @Test
    void packetsPerInterfaceAreTheWritersCountUntilASecondInterfaceThenCountedById() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(1 << 16, arena);
            RecordEncoder encoder = new PcapngRecordEncoder(1500, "Linux 6");
            PcapngEnvelope envelope = new PcapngEnvelope(PcapngBlocks.sectionHeader("hw", "os", "gulp"),
                    InterfaceFigures.single("eth1", new CaptureCounters(), true), () -> STAMP);
            java.util.List<Long> starts = new java.util.ArrayList<>();
            long at = 0;
            at += record(starts, at, encoder.appendInterface(ring.producer(), new CaptureInterface("a", "a", 1, 0, null)));
            for (int i = 0; i < 3; i++) {
                at += record(starts, at, encoder.append(ring.producer(), STAMP, 0, 0, 0, frame(60), 0, 60, 60));
            }
            at += record(starts, at, encoder.appendInterface(ring.producer(), new CaptureInterface("b", "b", 1, 0, null)));
            for (int id : new int[] {1, 0, 1, 1}) {
                at += record(starts, at, encoder.append(ring.producer(), STAMP, id, 0, 0, frame(60), 0, 60, 60));
            }
            ring.producer().publish();
            ByteRingConsumer consumer = ring.consumer();
            consumer.refresh();
            RecordFraming framing = encoder.framing();
            // As Writer.countRecordsUpTo: packets are shown only while the envelope asks.
            boolean showPackets = false;
            long packets = 0;
            for (int i = 0; i < starts.size(); i++) {
                long start = starts.get(i);
                long length = framing.recordLength(consumer, start);
                boolean packet = framing.isPacket(consumer, start);
                if (showPackets || !packet) {
                    showPackets = envelope.onRecord(consumer, start, length, packet, packets);
                }
                if (packet) {
                    packets++;
                }
                if (i == 3) {
                    envelope.packetsWritten(packets);
                    assertFalse(showPackets);
                    assertEquals(3, envelope.delivered(0), "one interface: the writer's count");
                }
            }
            envelope.packetsWritten(packets);
            assertEquals(2, envelope.interfaces());
            assertEquals(4, envelope.delivered(0), "3 before the second interface, 1 after");
            assertEquals(3, envelope.delivered(1));
        }
    }

    private static long record(java.util.List<Long> starts, long at, long length) {
        assertTrue(length > 0);
        starts.add(at);
        return length;
    }

    @Test
    void anInterfaceDescriptionInTheStreamIsNoPacketAndTheEnvelopeRepeatsItInTheNextHeader() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(1 << 16, arena);
            RecordEncoder encoder = new PcapngRecordEncoder(1500, "Linux 6");
            CaptureCounters counters = new CaptureCounters();
            PcapngEnvelope envelope = new PcapngEnvelope(PcapngBlocks.sectionHeader("hw", "os", "gulp"),
                    InterfaceFigures.single("eth1", counters, true), () -> STAMP);
            long idb = encoder.appendInterface(ring.producer(), new CaptureInterface("eth1", "live", 1, 262144, "udp"));
            long epb = encoder.append(ring.producer(), STAMP, 0, 0, 0, frame(60), 0, 60, 60);
            ring.producer().publish();
            ByteRingConsumer consumer = ring.consumer();
            consumer.refresh();
            RecordFraming framing = encoder.framing();
            assertFalse(framing.isPacket(consumer, 0));
            assertEquals(PcapngRecordFraming.NO_TIMESTAMP, framing.timestampNanos(consumer, 0));
            assertEquals(idb, framing.recordLength(consumer, 0));
            byte[] description = bytesAt(consumer, idb);
            assertFalse(envelope.onRecord(consumer, 0, idb, framing.isPacket(consumer, 0), 0),
                    "one interface: its packets need not be shown");
            assertEquals(epb, framing.recordLength(consumer, idb));
            envelope.packetsWritten(1); // the writer's count after the packet's write
            byte[] header = envelope.header();
            byte[] shb = PcapngBlocks.sectionHeader("hw", "os", "gulp");
            assertArrayEquals(description, java.util.Arrays.copyOfRange(header, shb.length, header.length));
            assertEquals(1500, ByteBuffer.wrap(description).order(ByteOrder.LITTLE_ENDIAN).getInt(PcapngBlock.IDB_SNAPLEN_OFFSET),
                    "the snap length the encoder cuts to");
            assertEquals(1, envelope.delivered(0));
            counters.kernelReceived.set(10);
            counters.kernelDropped.set(2);
            counters.recordsStored.add(7);
            counters.droppedRingFull.add(1);
            PcapngBlocks.InterfaceStatistics s = envelope.statistics(0, STAMP + 1);
            assertEquals(10, s.received());
            assertEquals(3, s.osDropped(), "kernel and ring full");
            assertEquals(3, s.interfaceDropped(), "everything lost: what Wireshark shows as dropped");
            assertEquals(10, s.filterAccepted());
            assertEquals(1, s.delivered(), "what was written");
            assertEquals(STAMP, s.startNanos());
            assertEquals(STAMP + 1, s.endNanos());
        }
    }
}
