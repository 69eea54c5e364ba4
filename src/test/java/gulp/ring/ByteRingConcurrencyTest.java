package gulp.ring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real producer thread and a real consumer thread push gigabytes through a small ring; the
 * checksums over everything produced and everything consumed must match, so no byte is lost,
 * duplicated or reordered under the release/acquire protocol.
 */
class ByteRingConcurrencyTest {
    private static final long TOTAL = 2L << 30; // 2 GiB
    private static final int CAPACITY = 1 << 20;

    @Test
    void twoGibibytesThroughAOneMebibyteRingArriveIntact() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            pushThrough(ByteRing.allocate(CAPACITY, arena), arena, TOTAL);
        }
    }

    @Test
    void halfAGibibyteThroughARingThatWrapsEarlyArrivesIntact() throws Exception {
        // The producer goes back to the first page whenever the consumer is close behind (ByteRing's early wrap).
        try (Arena arena = Arena.ofShared()) {
            pushThrough(ByteRing.allocate(CAPACITY, arena, 100).earlyWrapFrom(CAPACITY / 8), arena, TOTAL / 4);
        }
    }

    private static void pushThrough(ByteRing ring, Arena arena, long total) throws Exception {
        {
            byte[] pool = new byte[CAPACITY];
            new Random(42).nextBytes(pool);
            MemorySegment source = arena.allocate(pool.length * 2L);
            MemorySegment.copy(MemorySegment.ofArray(pool), 0, source, 0, pool.length);
            MemorySegment.copy(MemorySegment.ofArray(pool), 0, source, pool.length, pool.length);

            AtomicLong producedCrc = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread producerThread = Thread.ofPlatform().start(() -> {
                try {
                    ByteRingProducer producer = ring.producer();
                    SplittableRandom random = new SplittableRandom(7);
                    CRC32C crc = new CRC32C();
                    long sent = 0;
                    IdleStrategy idle = new IdleStrategy(100_000);
                    while (sent < total) {
                        // Record sizes from tiny to over half the ring.
                        int length = (int) Math.min(total - sent,
                                random.nextInt(8) == 0 ? random.nextInt(CAPACITY / 2, CAPACITY / 2 + 60_000) : random.nextInt(1, 2000));
                        length = Math.min(length, pool.length);
                        int from = random.nextInt(pool.length);
                        while (!producer.tryClaim(length)) {
                            idle.idle();
                        }
                        idle.reset();
                        producer.put(source, from, length);
                        producer.commit();
                        producer.publish();
                        crc.update(source.asSlice(from, length).asByteBuffer());
                        sent += length;
                    }
                    producer.finish();
                    producedCrc.set(crc.getValue());
                } catch (Throwable t) {
                    failure.set(t);
                }
            });

            ByteRingConsumer consumer = ring.consumer();
            CRC32C crc = new CRC32C();
            long received = 0;
            SplittableRandom random = new SplittableRandom(11);
            IdleStrategy idle = new IdleStrategy(100_000);
            while (true) {
                boolean done = ring.producerDone();
                if (consumer.refresh() == 0) {
                    if (done) {
                        break;
                    }
                    idle.idle();
                    continue;
                }
                idle.reset();
                ByteBuffer slice = consumer.byteBuffer(random.nextInt(1, 300_000));
                int n = slice.remaining();
                crc.update(slice);
                consumer.release(n);
                received += n;
            }
            producerThread.join();
            assertNull(failure.get());
            assertEquals(total, received);
            assertEquals(producedCrc.get(), crc.getValue());
        }
    }

    @Test
    void usedStaysBetweenZeroAndTheCapacityWhileBothSidesRun() throws Exception {
        // The producer publishes and the consumer releases everything at once, as fast as they
        // can, so the head often reaches a tail published a moment before; a third thread reads
        // the use as the status line does. Bounded: 20 million records or 3 seconds.
        try (Arena arena = Arena.ofShared()) {
            ByteRing ring = ByteRing.allocate(4096, arena);
            MemorySegment record = arena.allocate(64);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            long deadline = System.nanoTime() + 3_000_000_000L;
            Thread producerThread = Thread.ofPlatform().start(() -> {
                try {
                    ByteRingProducer producer = ring.producer();
                    for (int i = 0; i < 20_000_000 && System.nanoTime() < deadline; i++) {
                        while (!producer.tryClaim(64)) {
                            Thread.onSpinWait();
                        }
                        producer.put(record, 0, 64);
                        producer.commit();
                        producer.publish();
                    }
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    ring.producer().finish();
                }
            });
            Thread consumerThread = Thread.ofPlatform().start(() -> {
                ByteRingConsumer consumer = ring.consumer();
                while (true) {
                    boolean done = ring.producerDone();
                    long readable = consumer.refresh();
                    if (readable == 0 && done) {
                        return;
                    }
                    consumer.release(readable);
                }
            });
            long lowest = 0;
            long highest = 0;
            while (!ring.producerDone()) {
                long used = ring.used();
                lowest = Math.min(lowest, used);
                highest = Math.max(highest, used);
            }
            producerThread.join();
            consumerThread.join();
            assertNull(failure.get());
            assertEquals(0, lowest, "lowest use seen");
            assertTrue(highest <= ring.capacity(), "highest use seen: " + highest);
        }
    }
}
