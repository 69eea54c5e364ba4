package gulp.ring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
