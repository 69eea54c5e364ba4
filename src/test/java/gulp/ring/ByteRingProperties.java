package gulp.ring;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ring hands back exactly the bytes put in, in order, whatever the record sizes (up to the
 * whole capacity), wherever the records straddle the end of the buffer and however producer and
 * consumer interleave.
 */
class ByteRingProperties {

    @Property(tries = 200)
    void recordsComeOutAsTheyWentInAcrossWrapAround(
            @ForAll @IntRange(min = 4096, max = 20000) int capacity,
            @ForAll("operations") List<Integer> operations,
            @ForAll long seed) {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(capacity, arena);
            ByteRingProducer producer = ring.producer();
            ByteRingConsumer consumer = ring.consumer();
            Random random = new Random(seed);
            ArrayDeque<Byte> expected = new ArrayDeque<>();
            for (int op : operations) {
                if (op > 0) {
                    // Append a record of op bytes, some larger than half the ring.
                    int length = Math.min(op, capacity);
                    byte[] record = new byte[length];
                    random.nextBytes(record);
                    long free = capacity - expected.size();
                    boolean claimed = producer.tryClaim(length);
                    assertEquals(length <= free, claimed, "claim succeeds exactly when there is room");
                    if (claimed) {
                        producer.put(MemorySegment.ofArray(record), 0, length);
                        producer.commit();
                        producer.publish();
                        for (byte b : record) {
                            expected.add(b);
                        }
                    }
                } else {
                    // Drain up to -op bytes, in contiguous slices.
                    long want = -op;
                    consumer.refresh();
                    while (want > 0 && consumer.readable() > 0) {
                        ByteBuffer slice = consumer.byteBuffer(want);
                        int n = slice.remaining();
                        for (int i = 0; i < n; i++) {
                            assertEquals((byte) expected.poll(), slice.get(), "byte order preserved");
                        }
                        consumer.release(n);
                        want -= n;
                    }
                }
                assertEquals(expected.size(), ring.used());
            }
        }
    }

    @Provide
    Arbitrary<List<Integer>> operations() {
        Arbitrary<Integer> append = Arbitraries.integers().between(1, 20000);
        Arbitrary<Integer> drain = Arbitraries.integers().between(1, 20000).map(n -> -n);
        return Arbitraries.oneOf(append, drain).list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 100)
    void intsAreReadAcrossTheBufferEnd(@ForAll @IntRange(min = 0, max = 3) int offsetBeforeEnd,
                                       @ForAll int value) {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(4096, arena);
            ByteRingProducer producer = ring.producer();
            ByteRingConsumer consumer = ring.consumer();
            moveToBeforeEnd(producer, consumer, 4096, offsetBeforeEnd); // the int then straddles the buffer end
            publish(producer, consumer, ByteBuffer.allocate(4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(value).array());
            assertEquals(value, consumer.intLittleEndianAt(consumer.head()));
        }
    }

    @Property(tries = 100)
    void longsAreReadAcrossTheBufferEndAsTheirTwoInts(@ForAll @IntRange(min = 0, max = 12) int offsetBeforeEnd,
                                                      @ForAll long value) {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(4096, arena);
            ByteRingProducer producer = ring.producer();
            ByteRingConsumer consumer = ring.consumer();
            // 0-7: the long straddles the buffer end; 8-12: it does not
            moveToBeforeEnd(producer, consumer, 4096, offsetBeforeEnd);
            publish(producer, consumer, ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(value).array());
            long head = consumer.head();
            assertEquals(value, consumer.longLittleEndianAt(head));
            assertEquals((int) value, consumer.intLittleEndianAt(head));
            assertEquals((int) (value >>> 32), consumer.intLittleEndianAt(head + 4));
        }
    }

    @Property(tries = 100)
    void fourIntsAndTheBytesAfterThemAreWrittenAcrossTheBufferEnd(
            @ForAll @IntRange(min = 0, max = 24) int roomBeforeEnd, @ForAll int a, @ForAll int b, @ForAll int c,
            @ForAll int d, @ForAll boolean abandonFirst) {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(4096, arena);
            ByteRingProducer producer = ring.producer();
            ByteRingConsumer consumer = ring.consumer();
            moveToBeforeEnd(producer, consumer, 4096, roomBeforeEnd);
            byte[] tail = {1, 2, 3, 4, 5};
            if (abandonFirst) {
                // A record given up half-way leaves nothing behind: the next claim starts at the same place.
                assertTrue(producer.tryClaim(21));
                producer.putIntsLittleEndian(9, 9, 9, 9);
                producer.abandon();
            }
            assertTrue(producer.tryClaim(21));
            producer.putIntsLittleEndian(a, b, c, d);
            producer.put(MemorySegment.ofArray(tail), 0, tail.length);
            producer.commit();
            producer.publish();
            ByteBuffer expected = ByteBuffer.allocate(21).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                    .putInt(a).putInt(b).putInt(c).putInt(d).put(tail);
            ByteBuffer actual = ByteBuffer.allocate(21);
            consumer.refresh();
            while (consumer.readable() > 0) {
                ByteBuffer slice = consumer.byteBuffer(consumer.readable());
                int n = slice.remaining();
                actual.put(slice);
                consumer.release(n);
                consumer.refresh();
            }
            assertArrayEquals(expected.array(), actual.array());
        }
    }

    /** Moves both ends of an empty ring of {@code capacity} bytes to {@code roomBeforeEnd} bytes before the buffer's end. */
    private static void moveToBeforeEnd(ByteRingProducer producer, ByteRingConsumer consumer, int capacity,
                                        int roomBeforeEnd) {
        int fill = capacity - roomBeforeEnd;
        publish(producer, consumer, new byte[fill]);
        consumer.release(fill);
    }

    /** {@code bytes} as one record, published, and the consumer refreshed to see it. */
    private static void publish(ByteRingProducer producer, ByteRingConsumer consumer, byte[] bytes) {
        assertTrue(producer.tryClaim(bytes.length));
        producer.put(MemorySegment.ofArray(bytes), 0, bytes.length);
        producer.commit();
        producer.publish();
        consumer.refresh();
    }

    @Property(tries = 20)
    void aFullRingRefusesUntilTheConsumerReleases(@ForAll @IntRange(min = 4096, max = 9000) int capacity) {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(capacity, arena);
            ByteRingProducer producer = ring.producer();
            assertTrue(producer.tryClaim(capacity));
            producer.put(MemorySegment.ofArray(new byte[capacity]), 0, capacity);
            producer.commit();
            producer.publish();
            assertFalse(producer.tryClaim(1));
            ring.consumer().refresh();
            ring.consumer().release(1);
            assertTrue(producer.tryClaim(1));
            assertEquals(capacity, ring.peakUsed());
        }
    }

    @Property(tries = 5)
    void aSlicedRecordCopiesTheSameBytes(@ForAll @Size(min = 1, max = 5000) byte[] data) {
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(8192, arena);
            ring.producer().tryClaim(data.length);
            ring.producer().put(MemorySegment.ofArray(data), 0, data.length);
            ring.producer().commit();
            ring.producer().publish();
            ring.consumer().refresh();
            assertArrayEquals(data, ring.consumer().slice(data.length).toArray(ValueLayout.JAVA_BYTE));
        }
    }
    /**
     * Length-prefixed records written by put, by writing into the contiguous claimed region, or
     * claimed and then abandoned, and found again by walking their length fields ahead of the
     * head, as the writer counts records: the positions map to the right bytes through many wraps.
     */
    @Property(tries = 50)
    void recordsWalkedAheadOfTheHeadAreFoundThroughManyWraps(
            @ForAll @IntRange(min = 4096, max = 12000) int capacity, @ForAll long seed) {
        Random random = new Random(seed);
        try (Arena arena = Arena.ofConfined()) {
            ByteRing ring = ByteRing.allocate(capacity, arena);
            ByteRingProducer producer = ring.producer();
            ByteRingConsumer consumer = ring.consumer();
            ArrayDeque<Integer> lengths = new ArrayDeque<>();
            long walked = 0;
            for (int step = 0; step < 3000; step++) {
                int length = random.nextInt(4, 1500);
                byte[] record = new byte[length];
                random.nextBytes(record);
                ByteBuffer.wrap(record).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0, length);
                if (producer.tryClaim(length)) {
                    switch (random.nextInt(3)) {
                        case 0 -> producer.put(MemorySegment.ofArray(record), 0, length);
                        case 1 -> {
                            int done = 0;
                            while (done < length) {
                                MemorySegment region = producer.contiguousClaimedRegion();
                                int n = (int) Math.min(region.byteSize(), length - done);
                                MemorySegment.copy(MemorySegment.ofArray(record), done, region, 0, n);
                                producer.advance(n);
                                done += n;
                            }
                        }
                        default -> {
                            producer.put(MemorySegment.ofArray(record), 0, Math.min(length, 3));
                            producer.abandon();
                            continue;
                        }
                    }
                    producer.commit();
                    lengths.add(length);
                    if (random.nextBoolean()) {
                        producer.publish();
                    }
                } else {
                    producer.publish(); // as the reader does when it waits for room
                }
                consumer.refresh();
                while (walked < consumer.tail()) { // walk published records without releasing them
                    int expected = lengths.removeFirst();
                    assertEquals(expected, consumer.intLittleEndianAt(walked));
                    walked += expected;
                }
                long release = random.nextLong(consumer.readable() + 1);
                consumer.release(release);
            }
            assertTrue(producer.tail() > 4L * capacity, "the test must wrap several times");
        }
    }
}
