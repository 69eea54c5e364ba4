package gulp.ring;

import gulp.linux.Libc;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void aRingOverMemoryTooSmallOrNotPageAlignedIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(3 * 4096, 4096);
            assertThrows(IllegalArgumentException.class, () -> ByteRing.over(memory, 3 * 4096, arena, 0));
            assertThrows(IllegalArgumentException.class, () -> ByteRing.over(memory.asSlice(8), 4096, arena, 0));
        }
    }
}
