package gulp.ring;

import gulp.linux.Libc;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the ring's memory starts: O_DIRECT output from the ring depends on it. */
class ByteRingPlacementTest {
    @Test
    void theRingStartsTheGivenOffsetPastAPageBoundaryAndKeepsItsCapacity() {
        try (Arena arena = Arena.ofShared()) {
            for (int offset : new int[] {0, 24, 4095, 4096 + 24}) {
                ByteRing ring = ByteRing.allocate(1 << 20, arena, offset);
                assertEquals(offset % 4096, ring.buffer().address() % 4096, "offset " + offset);
                assertEquals(1 << 20, ring.capacity());
                assertEquals(1 << 20, ring.buffer().byteSize());
            }
        }
    }

    @Test
    void aRingOverMappedMemoryStartsTheGivenOffsetPastAPageBoundaryAndIsZeroed() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = Libc.current().mapAnonymous((1 << 20) + ByteRing.ALIGNMENT, arena);
            ByteRing ring = ByteRing.over(memory, 1 << 20, arena, 24);
            assertEquals(24, ring.buffer().address() % 4096);
            assertEquals(1 << 20, ring.capacity());
            assertEquals(-1, ring.buffer().mismatch(arena.allocate(1 << 20)), "the kernel's pages are zero");
            ring.buffer().fill((byte) 1); // writable to its last byte
        }
    }

    @Test
    void aMirroredRingShowsItsFirstBytesAgainAfterItsEndAndKeepsItsOffset() throws Exception {
        int capacity = 1 << 20;
        int mirror = 64 << 10;
        try (Arena arena = Arena.ofShared()) {
            ByteRing ring = ByteRing.overMirrored(Libc.current().mapMirrored(capacity, mirror, true, arena), capacity, mirror,
                    arena, 24);
            assertEquals(24, ring.buffer().address() % 4096);
            assertEquals(capacity, ring.capacity());
            assertEquals(capacity, ring.buffer().byteSize());
            assertEquals(capacity + mirror - 4096, ring.span());
            assertEquals(-1, ring.buffer().mismatch(arena.allocate(capacity)), "the kernel's pages are zero");
            MemorySegment view = ring.producer().buffer();
            assertEquals(ring.span(), view.byteSize());
            view.set(ValueLayout.JAVA_LONG_UNALIGNED, capacity - 3, 0x0102030405060708L); // across the end
            assertEquals(0x0102030405060708L, view.get(ValueLayout.JAVA_LONG_UNALIGNED, capacity - 3));
            assertEquals(0x0102030405L, ring.buffer().get(ValueLayout.JAVA_LONG_UNALIGNED, 0) & 0xFF_FFFF_FFFFL,
                    "the bytes past the end are the first bytes");
            ring.buffer().set(ValueLayout.JAVA_INT, mirror - 4096 - 4 - 24, 77); // the last byte the mirror shows
            assertEquals(77, view.get(ValueLayout.JAVA_INT, capacity + mirror - 4096 - 4 - 24));
            view.fill((byte) 1); // writable to its last byte
        }
    }

    @Test
    void aRecordAcrossAMirroredRingsEndIsClaimedWholeAndReadWhole() throws Exception {
        int capacity = 64 << 10;
        try (Arena arena = Arena.ofShared()) {
            ByteRing ring = ByteRing.overMirrored(Libc.current().mapMirrored(capacity, 16 << 10, true, arena), capacity,
                    16 << 10, arena, 0);
            ByteRingProducer producer = ring.producer();
            ByteRingConsumer consumer = ring.consumer();
            assertTrue(producer.tryClaim(capacity - 10));
            producer.commitClaimed();
            producer.publish();
            consumer.release(consumer.refresh());
            assertTrue(producer.tryClaim(100));
            assertEquals(capacity - 10, producer.claimedIndexIfContiguous(), "in one piece across the end");
            producer.buffer().asSlice(capacity - 10, 100).fill((byte) 9);
            producer.commitClaimed();
            producer.publish();
            assertEquals(100, consumer.refresh());
            assertEquals(100, consumer.slice(1000).byteSize(), "one slice to the tail, not split at the end");
            assertEquals(0x09090909, consumer.intLittleEndianAt(capacity - 2));
            consumer.release(100);
            assertEquals(capacity + 90, consumer.head());
            assertEquals(90, consumer.indexOf(consumer.head()));
            assertEquals(9, ring.buffer().get(ValueLayout.JAVA_BYTE, 89));
            assertEquals(0, ring.buffer().get(ValueLayout.JAVA_BYTE, 90));
        }
    }

    @Test
    void aCopyLongerThanTheMirrorAcrossTheEndLandsWhereItsPositionsAre() throws Exception {
        int capacity = 64 << 10;
        int mirror = 8 << 10;
        try (Arena arena = Arena.ofShared()) {
            ByteRing ring = ByteRing.overMirrored(Libc.current().mapMirrored(capacity, mirror, true, arena), capacity, mirror,
                    arena, 24);
            ByteRingProducer producer = ring.producer();
            ByteRingConsumer consumer = ring.consumer();
            assertTrue(producer.tryClaim(capacity - 1000));
            producer.commitClaimed();
            producer.publish();
            consumer.release(consumer.refresh());
            byte[] bytes = new byte[20_000]; // 1000 before the end, then more than the mirror shows
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) (i * 7 + 3);
            }
            assertTrue(producer.tryClaim(bytes.length));
            producer.put(MemorySegment.ofArray(bytes), 0, bytes.length);
            producer.commit();
            producer.publish();
            consumer.refresh();
            byte[] copied = new byte[bytes.length];
            consumer.copyTo(consumer.head(), MemorySegment.ofArray(copied), 0, copied.length);
            assertArrayEquals(bytes, copied);
            byte[] atStart = ring.buffer().asSlice(0, bytes.length - 1000).toArray(ValueLayout.JAVA_BYTE);
            assertArrayEquals(java.util.Arrays.copyOfRange(bytes, 1000, bytes.length), atStart,
                    "position capacity + i is index i");
            byte[] sliced = new byte[bytes.length];
            int at = 0;
            while (at < sliced.length) {
                MemorySegment slice = consumer.slice(sliced.length - at);
                MemorySegment.copy(slice, 0, MemorySegment.ofArray(sliced), at, slice.byteSize());
                at += (int) slice.byteSize();
                consumer.release(slice.byteSize());
            }
            assertArrayEquals(bytes, sliced);
        }
    }

    @Test
    void aMirrorLargerThanTheRingOrNotWholePagesIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            assertThrows(IllegalArgumentException.class, () -> Libc.current().mapMirrored(8192, 16384, true, arena));
            assertThrows(IllegalArgumentException.class, () -> Libc.current().mapMirrored(8192 + 1, 4096, true, arena));
            MemorySegment memory = arena.allocate(4 * 4096, 4096);
            assertThrows(IllegalArgumentException.class, () -> ByteRing.overMirrored(memory, 3 * 4096, 2 * 4096, arena, 0));
            assertThrows(IllegalArgumentException.class, () -> ByteRing.overMirrored(memory, 2 * 4096, 4096, arena, 0));
        }
    }

    @Test
    void aRingOverMemoryTooSmallOrNotPageAlignedIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(3 * 4096, 4096);
            assertThrows(IllegalArgumentException.class, () -> ByteRing.over(memory, 3 * 4096, arena, 0));
            assertThrows(IllegalArgumentException.class, () -> ByteRing.over(memory.asSlice(8), 4096, arena, 0));
        }
    }
}
