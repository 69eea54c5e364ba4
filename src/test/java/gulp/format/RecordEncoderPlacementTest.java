package gulp.format;

import gulp.linux.Libc;
import gulp.ring.ByteRing;
import gulp.ring.ByteRingConsumer;
import gulp.ring.ByteRingProducer;
import gulp.testing.Frames;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The encoders write a record that lies in one piece in the ring in place (wide stores), and one
 * that straddles the ring's end through the ring's puts: both must give the same bytes, for every
 * place the end can fall in a record. In a mirrored ring (gulp's own) every record is written in
 * place, also across the end, with the same bytes.
 */
class RecordEncoderPlacementTest {
    private static final long STAMP = 1_764_000_000_123_456_789L;
    private static final int CAPACITY = 4096;

    private interface Append {
        long to(RecordEncoder encoder, ByteRingProducer ring, MemorySegment frame, int caplen);
    }

    private static List<Append> packets() {
        List<Append> cases = new ArrayList<>();
        int[] flagsCases = {0, PcapngBlock.FLAG_INBOUND | PcapngBlock.RECEPTION_UNICAST << PcapngBlock.FLAG_RECEPTION_SHIFT};
        long[] dropCases = {0, 5, 1L << 33 | 7};
        for (int flags : flagsCases) {
            for (long drops : dropCases) {
                cases.add((e, ring, frame, caplen) -> e.append(ring, STAMP + caplen, 3, flags, drops, frame, 0, caplen, caplen + 9));
                cases.add((e, ring, frame, caplen) -> e.appendWithVlanTag(ring, STAMP, 1, flags, drops, 0x8100_0064, frame, 0,
                        caplen, caplen));
            }
        }
        return cases;
    }

    /** A ring whose memory holds bytes left from earlier records, as a ring does after its first pass. */
    private static ByteRing dirtyRing(Arena arena) {
        ByteRing ring = ByteRing.allocate(CAPACITY, arena);
        ring.buffer().fill((byte) 0xA5);
        return ring;
    }

    /** The record {@code append} writes at the start of an empty ring (in place). */
    private static byte[] inPlace(RecordEncoder encoder, Append append, MemorySegment frame, int caplen) {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = dirtyRing(arena);
            long length = append.to(encoder, ring.producer(), frame, caplen);
            ring.producer().publish();
            ring.consumer().refresh();
            return ring.consumer().slice(length).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** The record {@code append} writes with the ring's end {@code split} bytes into it. */
    private static byte[] straddling(RecordEncoder encoder, Append append, MemorySegment frame, int caplen, int split) {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = dirtyRing(arena);
            ByteRingProducer producer = ring.producer();
            ByteRingConsumer consumer = ring.consumer();
            assertTrue(producer.tryClaim(CAPACITY - split));
            producer.putZeros(CAPACITY - split);
            producer.commit();
            producer.publish();
            consumer.release(consumer.refresh());
            long length = append.to(encoder, producer, frame, caplen);
            producer.publish();
            consumer.refresh();
            byte[] first = consumer.slice(length).toArray(ValueLayout.JAVA_BYTE);
            assertEquals(split, first.length, "the record straddles the end");
            consumer.release(first.length);
            byte[] rest = consumer.slice(length - first.length).toArray(ValueLayout.JAVA_BYTE);
            byte[] record = new byte[(int) length];
            System.arraycopy(first, 0, record, 0, first.length);
            System.arraycopy(rest, 0, record, first.length, rest.length);
            return record;
        }
    }

    private static void sameBytesWherevertheEndFalls(RecordEncoder encoder) {
        for (Append append : packets()) {
            for (int caplen = 0; caplen <= 70; caplen += caplen < 16 ? 1 : 7) {
                MemorySegment frame = MemorySegment.ofArray(Frames.counting(Math.max(caplen, 1)));
                byte[] expected = inPlace(encoder, append, frame, caplen);
                for (int split = 1; split < expected.length; split++) {
                    assertArrayEquals(expected, straddling(encoder, append, frame, caplen, split),
                            "caplen " + caplen + ", ring end " + split + " bytes into the record");
                }
            }
        }
    }

    /**
     * In a ring whose start is mapped again after its end, a record across the end is written in
     * place at its index: the same bytes, the part past the end found again at the ring's start.
     */
    private static void mirroredRecordsLieWholeWherevertheEndFalls(RecordEncoder encoder) throws Exception {
        int capacity = 4 * CAPACITY;
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.overMirrored(Libc.current().mapMirrored(capacity, 2 * CAPACITY, true, arena),
                    capacity, 2 * CAPACITY, arena, 24);
            ring.producer().buffer().fill((byte) 0xA5);
            for (Append append : packets()) {
                for (int caplen = 0; caplen <= 70; caplen += caplen < 16 ? 3 : 17) {
                    MemorySegment frame = MemorySegment.ofArray(Frames.counting(Math.max(caplen, 1)));
                    byte[] expected = inPlace(encoder, append, frame, caplen);
                    for (int split = 1; split < expected.length; split += 5) {
                        moveTo(ring, capacity - split);
                        long length = append.to(encoder, ring.producer(), frame, caplen);
                        ring.producer().publish();
                        ByteRingConsumer consumer = ring.consumer();
                        consumer.refresh();
                        String where = "caplen " + caplen + ", ring end " + split + " bytes into the record";
                        assertArrayEquals(expected, consumer.slice(length).toArray(ValueLayout.JAVA_BYTE), where);
                        byte[] wrapped = ring.buffer().asSlice(0, length - split).toArray(ValueLayout.JAVA_BYTE);
                        assertArrayEquals(java.util.Arrays.copyOfRange(expected, split, expected.length), wrapped, where);
                        consumer.release(length);
                    }
                }
            }
        }
    }

    /** Commits filler (released at once) until the ring's next record starts at {@code index}. */
    private static void moveTo(ByteRing ring, long index) {
        ByteRingProducer producer = ring.producer();
        long filler = Math.floorMod(index - producer.tail() % ring.capacity(), ring.capacity());
        if (filler > 0) {
            assertTrue(producer.tryClaim(filler));
            producer.put(MemorySegment.ofArray(new byte[(int) filler]), 0, filler);
            producer.commit();
            producer.publish();
            ring.consumer().release(ring.consumer().refresh());
        }
    }

    @Test
    void inAMirroredRingEveryRecordIsWrittenInOnePieceWithTheSameBytes() throws Exception {
        mirroredRecordsLieWholeWherevertheEndFalls(new PcapngRecordEncoder(65535, "Linux"));
        mirroredRecordsLieWholeWherevertheEndFalls(new PcapRecordEncoder(false, 65535));
    }

    @Test
    void pcapngBlocksWrittenInPlaceEqualThoseWrittenAcrossTheRingsEnd() {
        sameBytesWherevertheEndFalls(new PcapngRecordEncoder(65535, "Linux"));
        sameBytesWherevertheEndFalls(new PcapngRecordEncoder(41, "Linux")); // cut to the snap length
    }

    @Test
    void pcapRecordsWrittenInPlaceEqualThoseWrittenAcrossTheRingsEnd() {
        sameBytesWherevertheEndFalls(new PcapRecordEncoder(false, 65535));
        sameBytesWherevertheEndFalls(new PcapRecordEncoder(true, 41));
    }
}
