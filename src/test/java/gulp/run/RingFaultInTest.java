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

/** A live capture's rings faulted in and locked beside the capture ({@link RingFaultIn}). */
class RingFaultInTest {
    private static final long RING = 64L << 20;

    /** A field of /proc/self/status in KiB (VmLck, VmRSS). */
    private static long statusKiB(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no " + field);
    }

    @Test
    void everyPageOfEveryRingIsFaultedInAndLockedOrOneWarningSaysWhyNot() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (Arena arena = Arena.ofShared(); RingFaultIn faultIn = new RingFaultIn()) {
            ByteRing a = ByteRing.over(Libc.current().mapAnonymous(RING + ByteRing.ALIGNMENT, false, arena), RING, arena, 24);
            ByteRing b = ByteRing.over(Libc.current().mapAnonymous(RING + ByteRing.ALIGNMENT, false, arena), RING, arena, 24);
            long lockedBefore = statusKiB("VmLck");
            long rssBefore = statusKiB("VmRSS");
            faultIn.start(List.of(a, b), warnings::add);
            faultIn.awaitDone();
            assertTrue(faultIn.done());
            long rings = 2 * RING >> 10;
            assertTrue(statusKiB("VmRSS") - rssBefore >= rings * 9 / 10, "faulted in");
            if (warnings.isEmpty()) {
                assertTrue(statusKiB("VmLck") - lockedBefore >= rings, "locked");
            } else {
                assertEquals(1, warnings.size(), warnings::toString);
                assertTrue(warnings.getFirst().startsWith("warning: cannot lock the ring in memory"), warnings::toString);
            }
        }
    }

    @Test
    void whatTheReaderWritesMeanwhileIsKeptAndAStopWaitsForTheThread() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            ByteRing ring = ByteRing.over(Libc.current().mapAnonymous(RING + ByteRing.ALIGNMENT, false, arena), RING, arena, 24);
            MemorySegment bytes = ring.buffer();
            try (RingFaultIn faultIn = new RingFaultIn()) {
                faultIn.start(List.of(ring), w -> { });
                for (long i = 0; i < RING; i += 8) { // the reader, racing the thread through the same pages
                    bytes.set(ValueLayout.JAVA_LONG_UNALIGNED, i, i * 31 + 7);
                }
            } // closes (stops and joins) before the arena unmaps the ring
            for (long i = 0; i < RING; i += 8) {
                assertEquals(i * 31 + 7, bytes.get(ValueLayout.JAVA_LONG_UNALIGNED, i), "at " + i);
            }
        }
    }

    @Test
    void aFaultInNeverStartedClosesAtOnce() {
        new RingFaultIn().close();
    }
}
