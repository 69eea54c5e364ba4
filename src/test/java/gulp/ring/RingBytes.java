package gulp.ring;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ring tests' bytes: each a function of its stream position, written as records and read back checked. */
final class RingBytes {
    private RingBytes() {
    }

    static byte byteAt(long position) {
        return (byte) (position * 31 + (position >>> 11));
    }

    /** Writes {@code length} numbered bytes from stream position {@code from} into the claimed record and commits it. */
    static void putNumbered(ByteRingProducer producer, long from, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = byteAt(from + i);
        }
        producer.put(MemorySegment.ofArray(bytes), 0, length);
        producer.commit();
    }

    /** Claims (it must fit), writes and commits one record of {@code length} numbered bytes from {@code from}; returns its end. */
    static long claimNumbered(ByteRingProducer producer, long from, int length) {
        assertTrue(producer.tryClaim(length));
        putNumbered(producer, from, length);
        return from + length;
    }

    /**
     * Records of {@code length} numbered bytes from {@code from} for as long as they fit (a stall:
     * nothing is released meanwhile, nothing published); returns where they end.
     */
    static long fillNumbered(ByteRingProducer producer, long from, int length) {
        long at = from;
        while (producer.tryClaim(length)) {
            putNumbered(producer, at, length);
            at += length;
        }
        return at;
    }

    /**
     * Claims, writes and commits {@code bytes} numbered bytes from {@code from} in records of at
     * most 4 KiB, then publishes; returns the tail.
     */
    static long writeNumbered(ByteRingProducer producer, long from, long bytes) {
        for (long at = from; at < from + bytes; ) {
            at = claimNumbered(producer, at, (int) Math.min(from + bytes - at, 4096));
        }
        producer.publish();
        return producer.tail();
    }

    /** Reads and releases everything published, checking each byte from the head on; returns where it ended. */
    static long readAllChecked(ByteRingConsumer consumer) {
        long read = consumer.head();
        while (consumer.refresh() > 0) {
            ByteBuffer slice = consumer.byteBuffer(1 << 20);
            assertTrue(slice.remaining() > 0, "readable " + consumer.readable() + " but an empty slice at " + read);
            for (int k = 0; k < slice.remaining(); k++) {
                assertEquals(byteAt(read + k), slice.get(slice.position() + k), "at position " + (read + k));
            }
            read += slice.remaining();
            consumer.release(slice.remaining());
        }
        return read;
    }
}
