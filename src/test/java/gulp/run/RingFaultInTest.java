package gulp.run;

import gulp.linux.Libc;
import gulp.ring.ByteRing;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.*;

/** A live capture's rings faulted in a bounded lead ahead of the reader, and locked ({@link RingFaultIn}). */
class RingFaultInTest {
    private static final long RING = 256L << 20;
    private static final long LEAD = 16L << 20;
    private static final long MIB = 1L << 20;

    /**
     * A field of /proc/self/smaps (Rss, Locked) in KiB, summed over the mappings that hold the
     * ring's bytes: the ring's own pages, not the test JVM's (whose heap and other tests change VmRSS).
     */
    static long ringKiB(ByteRing ring, String field) throws Exception {
        long from = ring.buffer().address() & -4096L;
        long to = ring.buffer().address() + ring.buffer().byteSize();
        long sum = 0;
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = start < to && end > from;
            } else if (inside && line.startsWith(field + ":")) {
                sum += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return sum;
    }

    private static ByteRing ring(Arena arena) throws Exception {
        return ByteRing.over(Libc.current().mapAnonymous(RING + ByteRing.ALIGNMENT, false, arena), RING, arena, 24);
    }

    /** Moves the reader's published tail by {@code bytes} without touching the memory (and frees it again). */
    private static void advance(ByteRing ring, long bytes) {
        for (long left = bytes; left > 0; ) {
            long step = Math.min(left, RING / 2);
            assertTrue(ring.producer().tryClaim(step));
            ring.producer().advance(step);
            ring.producer().commit();
            ring.producer().publish();
            ring.consumer().refresh();
            ring.consumer().release(step);
            left -= step;
        }
    }

    /** Waits until the ring's resident pages are at least {@code kib} (at most 10 s); returns them. */
    private static long awaitResident(ByteRing ring, long kib) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (ringKiB(ring, "Rss") < kib && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(100); // and a moment more, to see it go no further
        return ringKiB(ring, "Rss");
    }

    @Test
    void onlyTheLeadAheadOfTheReaderIsFaultedInAndLockedUntilTheRingWrapsOrOneWarningSaysWhyNot() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (Arena arena = Arena.ofShared(); RingFaultIn faultIn = new RingFaultIn(LEAD)) {
            ByteRing ring = ring(arena);
            faultIn.start(List.of(ring), -1, false, warnings::add);
            long idle = awaitResident(ring, LEAD >> 10);
            assertTrue(idle >= (LEAD >> 10) * 9 / 10 && idle < (3 * LEAD) >> 10, "an idle ring holds about the lead: " + idle + " KiB");
            if (warnings.isEmpty()) {
                assertTrue(ringKiB(ring, "Locked") >= LEAD >> 10, "locked as faulted in");
            } else {
                assertEquals(1, warnings.size(), warnings::toString);
                assertTrue(warnings.getFirst().startsWith("warning: cannot lock the ring in memory"), warnings::toString);
            }
            assertFalse(faultIn.done(), "it waits for the reader");

            advance(ring, 128 * MIB); // the reader moved on (and faulted in what it wrote itself)
            long followed = awaitResident(ring, (2 * LEAD) >> 10);
            assertTrue(followed >= (2 * LEAD >> 10) * 9 / 10 && followed < (4 * LEAD) >> 10,
                    "the lead follows the tail, the pages it skipped stay out: " + followed + " KiB");

            advance(ring, RING); // past the end: every page has been written once
            faultIn.awaitDone();
            assertTrue(faultIn.done());
        }
    }

    @Test
    void whatTheReaderWritesMeanwhileIsKeptAndAStopWaitsForTheThread() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            ByteRing ring = ring(arena);
            MemorySegment bytes = ring.buffer();
            long half = RING / 2;
            try (RingFaultIn faultIn = new RingFaultIn(LEAD)) {
                faultIn.start(List.of(ring), 0, true, w -> { });
                for (long i = 0; i < half; i += 8) { // the reader, racing the thread through the same pages
                    bytes.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 31 + 7);
                    if ((i & (MIB - 1)) == MIB - 8) {
                        advance(ring, MIB);
                    }
                }
            } // closes (stops and joins) before the arena unmaps the ring
            for (long i = 0; i < half; i += 8) {
                assertEquals(i * 31 + 7, bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, i), "at " + i);
            }
        }
    }

    @Test
    void whileAheadItWaitsHalfTheLeadAtTheReadersRateWithinBounds() {
        RingFaultIn faultIn = new RingFaultIn(LEAD);
        assertEquals(RingFaultIn.MAX_PARK_NANOS, faultIn.park(0, 1_000_000), "an idle reader");
        assertEquals(8_000_000, faultIn.park(LEAD, 16_000_000), "the lead in 16 ms: 8 ms");
        assertEquals(RingFaultIn.MIN_PARK_NANOS, faultIn.park(100 * LEAD, 1_000_000), "a burst: the shortest wait");
        assertEquals(RingFaultIn.MAX_PARK_NANOS, faultIn.park(MIB, 1_000_000_000), "1 MiB/s: the longest wait");
    }

    @Test
    void aFaultInNeverStartedClosesAtOnce() {
        new RingFaultIn().close();
    }
}
