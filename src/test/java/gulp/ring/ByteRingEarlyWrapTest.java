package gulp.ring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static gulp.ring.RingBytes.byteAt;
import static gulp.ring.RingBytes.fillNumbered;
import static gulp.ring.RingBytes.putNumbered;
import static gulp.ring.RingBytes.readAllChecked;
import static gulp.ring.RingBytes.writeNumbered;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The producer going on at the buffer's first page while the consumer keeps up (ByteRing's early
 * wrap): where records land, what room the producer has meanwhile, and that the consumer reads
 * every byte in order across the wraps.
 */
class ByteRingEarlyWrapTest {
    private static final int CAPACITY = 1 << 20;
    private static final long WRAP_FROM = 64 << 10;

    @Test
    void aRingTheConsumerKeepsUpWithGoesOnAtItsFirstPageAtTheTailsOffsetInItsPage() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(CAPACITY, arena, 24).earlyWrapFrom(WRAP_FROM);
            ByteRingProducer producer = ring.producer();
            ByteRingConsumer consumer = ring.consumer();
            writeNumbered(producer, producer.tail(), WRAP_FROM + 1000);
            consumer.release(consumer.refresh());
            long wrapAt = writeNumbered(producer, producer.tail(), 100); // published with the consumer caught up: the wrap
            long oldAddress = producer.buffer().address() + wrapAt;
            assertTrue(producer.tryClaim(100));
            long index = producer.claimedIndexIfContiguous();
            assertEquals(wrapAt % ByteRing.ALIGNMENT, index, "the first page, at the tail's offset in its page");
            assertEquals(oldAddress % ByteRing.ALIGNMENT, (producer.buffer().address() + index) % ByteRing.ALIGNMENT,
                    "a byte keeps its address's alignment (O_DIRECT writes from the ring)");
            producer.buffer().set(ValueLayout.JAVA_BYTE, index, (byte) 77);
            producer.commitClaimed();
            producer.publish();
            assertEquals(index + 100, ring.publishedIndex());
            assertEquals(200, consumer.refresh());
            assertEquals(index, consumer.indexOf(wrapAt));
            assertEquals(100, consumer.byteBuffer(200).remaining(), "a slice stops at the wrap");
            consumer.release(100);
            ByteBuffer after = consumer.byteBuffer(200);
            assertEquals(100, after.remaining());
            assertEquals(77, after.get(0));
        }
    }

    @Test
    void aConsumerFarBehindKeepsTheWholeRing() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(CAPACITY, arena).earlyWrapFrom(WRAP_FROM);
            ByteRingProducer producer = ring.producer();
            ByteRingConsumer consumer = ring.consumer();
            long wrote = writeNumbered(producer, producer.tail(), WRAP_FROM + 1000); // nothing read: the head at index 0
            consumer.refresh();
            consumer.release(WRAP_FROM / 4); // the head less than half the wrap point in
            writeNumbered(producer, producer.tail(), 100);
            assertTrue(producer.tryClaim(100));
            assertEquals(wrote + 100, producer.claimedIndexIfContiguous(), "on where it was");
        }
    }

    @Test
    void aWriterStalledRightAfterAnEarlyWrapStillLeavesNearlyTheWholeRingAndEveryByteComesBack() {
        // The head stops before the wrap: the room up to the head's index fills, then the producer
        // jumps over the unread bytes to where the tail left the buffer and fills the rest of it.
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(CAPACITY, arena, 24).earlyWrapFrom(WRAP_FROM);
            ByteRingProducer producer = ring.producer();
            ByteRingConsumer consumer = ring.consumer();
            long wrapAt = 3 * WRAP_FROM + 8;
            writeNumbered(producer, 0, wrapAt - 8);
            consumer.refresh();
            long headIndex = 2 * WRAP_FROM + 8;
            consumer.release(headIndex);
            writeNumbered(producer, wrapAt - 8, 8); // published with the head far enough behind: the wrap
            long produced = fillNumbered(producer, wrapAt, 1000); // the stall: nothing more is released
            producer.publish();
            long unread = produced - headIndex;
            assertTrue(unread > CAPACITY - 2 * ByteRing.ALIGNMENT - 1000 * 2, "a stall holds nearly the whole ring: " + unread);
            assertEquals(produced, readAllChecked(consumer), "the writer comes back: every byte in order");
            assertTrue(producer.hasRoom(CAPACITY), "empty again: the whole capacity");
            writeNumbered(producer, produced, 5000);
            assertEquals(5000, consumer.refresh());
            assertEquals(byteAt(produced), consumer.byteBuffer(10).get(0));
        }
    }

    @Test
    void aWriterStalledWithTheHeadParkedPastHalfTheWrapPointStillLeavesNearlyTheWholeRing() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(CAPACITY, arena).earlyWrapFrom(WRAP_FROM);
            ByteRingProducer producer = ring.producer();
            ByteRingConsumer consumer = ring.consumer();
            writeNumbered(producer, 0, WRAP_FROM);
            consumer.release(consumer.refresh()); // parked at the wrap point's index, and stays there
            long produced = WRAP_FROM;
            while (producer.tryClaim(700)) {
                putNumbered(producer, produced, 700);
                produced += 700;
                producer.publish(); // a publish after every record: each one may wrap
            }
            assertTrue(produced - WRAP_FROM > CAPACITY - 2 * ByteRing.ALIGNMENT - 1400, "held: " + (produced - WRAP_FROM));
            assertEquals(produced, readAllChecked(consumer));
        }
    }

    @Test
    void everyByteComesOutInOrderAcrossManyEarlyWrapsAndTheEnd() {
        // One thread plays both sides, the consumer sometimes far behind, sometimes caught up, so
        // the producer wraps early, is held before the wrap, and passes the buffer's end too. The
        // byte at each position is a function of the position.
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(CAPACITY, arena, 4000).earlyWrapFrom(WRAP_FROM);
            ByteRingProducer producer = ring.producer();
            ByteRingConsumer consumer = ring.consumer();
            SplittableRandom random = new SplittableRandom(5);
            byte[] source = new byte[70_000];
            long produced = 0;
            long consumed = 0;
            long earlyWraps = 0;
            long endWraps = 0;
            long lastIndex = 0;
            while (consumed < 32L * CAPACITY) {
                int burst = random.nextInt(1, random.nextInt(4) == 0 ? 200 : 5);
                for (int r = 0; r < burst; r++) {
                    int length = random.nextInt(8, random.nextInt(10) == 0 ? 70_000 : 2000);
                    if (!producer.tryClaim(length)) {
                        break;
                    }
                    for (int i = 0; i < length; i++) {
                        source[i] = byteAt(produced + i);
                    }
                    producer.put(MemorySegment.ofArray(source), 0, length);
                    producer.commit();
                    produced += length;
                }
                producer.publish();
                long index = ring.publishedIndex();
                if (index < lastIndex && lastIndex < CAPACITY - 70_000) {
                    earlyWraps++; // the tail's index went back well before the end
                } else if (index < lastIndex) {
                    endWraps++;
                }
                lastIndex = index;
                long readable = consumer.refresh();
                long take = random.nextInt(3) == 0 ? readable : random.nextLong(readable + 1);
                while (take > 0) {
                    ByteBuffer slice = consumer.byteBuffer(take);
                    int n = slice.remaining();
                    assertTrue(n > 0);
                    long first = consumer.head();
                    for (int k = 0; k < n; k++) {
                        if (slice.get(slice.position() + k) != byteAt(first + k)) {
                            assertEquals(byteAt(first + k), slice.get(slice.position() + k), "the byte at position " + (first + k));
                        }
                    }
                    consumer.release(n);
                    take -= n;
                    consumed += n;
                }
            }
            assertTrue(earlyWraps > 20 && endWraps > 0, "early wraps: " + earlyWraps + ", at the end: " + endWraps);
        }
    }

    @Test
    void anEarlyWrapPointOutsideTheRingIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(CAPACITY, arena);
            assertThrows(IllegalArgumentException.class, () -> ring.earlyWrapFrom(CAPACITY));
            assertThrows(IllegalArgumentException.class, () -> ring.earlyWrapFrom(ByteRing.ALIGNMENT));
        }
    }
}
