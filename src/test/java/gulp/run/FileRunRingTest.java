package gulp.run;

import gulp.cli.OptionParser;
import gulp.metrics.Watch;
import gulp.ring.ByteRing;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.*;

/** The ring of a run from capture files or stdin ({@link RunAssembly#allocateRing(Arena)}). */
class FileRunRingTest {
    private static final long MIB = 1L << 20;

    private static RunAssembly assembly(String... args) throws Exception {
        return new RunAssembly(RunSettings.conclude(OptionParser.parse(args)), System.err, null, Watch.none());
    }

    @Test
    void aFileRunsRingIsMappedWithoutFaultingItInAndItsPagesComeAsTheReaderWritesThem() throws Exception {
        RunAssembly assembly = assembly("--read", "in.pcap"); // to stdout (the test's is not a terminal)
        try (Arena arena = Arena.ofShared()) {
            ByteRing ring = assembly.allocateRing(arena);
            assertEquals(100 * MIB, ring.capacity(), "the 100 MiB ring of a file run");
            long mapped = RingFaultInTest.ringKiB(ring, "Rss");
            assertTrue(mapped < 4 * 1024, "nothing faulted in at start: " + mapped + " KiB resident");
            for (long i = 0; i < 8 * MIB; i += 4096) { // the reader's first 8 MiB
                ring.buffer().set(ValueLayout.JAVA_BYTE, i, (byte) 1);
            }
            long written = RingFaultInTest.ringKiB(ring, "Rss");
            assertTrue(written >= 8 * 1024 && written < 16 * 1024, "the pages written, no more: " + written + " KiB");
            assertEquals(0, RingFaultInTest.ringKiB(ring, "Locked"), "not locked: a file run's reader waits, it loses nothing");
        }
    }

    @Test
    void anOutputDirectoryRunsRingIsNotFaultedInAtStartEither() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            ByteRing ring = assembly("--read", "in.pcap", "-o", "/tmp/unused").allocateRing(arena);
            long resident = RingFaultInTest.ringKiB(ring, "Rss");
            assertTrue(resident < 4 * 1024, "nothing faulted in at start: " + resident + " KiB resident");
        }
    }
}
