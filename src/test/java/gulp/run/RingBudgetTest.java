package gulp.run;

import gulp.capture.LiveSource;
import gulp.cli.OptionParser;
import gulp.cli.UsageException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** How {@link RingBudget} sizes the rings that absorb an output stall, for machines of any size. */
class RingBudgetTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private static Options parse(String... args) throws UsageException {
        return OptionParser.parse(args);
    }

    @Test
    void aLiveCaptureWithoutRTakesAnEighthOfAvailableMemoryWithinItsBounds() {
        assertEquals(2048 * MIB, RingBudget.defaultLiveRing(22 * GIB), "a large machine: the cap");
        assertEquals(2048 * MIB, RingBudget.defaultLiveRing(256 * GIB));
        assertEquals(1024 * MIB, RingBudget.defaultLiveRing(8 * GIB));
        assertEquals(192 * MIB, RingBudget.defaultLiveRing(1536 * MIB), "a 2 GiB box");
        assertEquals(100 * MIB, RingBudget.defaultLiveRing(600 * MIB), "a 1 GiB box keeps the original's 100 MiB");
        assertEquals(64 * MIB, RingBudget.defaultLiveRing(256 * MIB), "never more than a quarter of what is available");
        assertEquals(16 * MIB, RingBudget.defaultLiveRing(40 * MIB), "a tiny box: the floor that holds any record");
        assertEquals(100 * MIB, RingBudget.defaultLiveRing(-1), "MemAvailable unknown");
        for (long available = 128 * MIB; available <= 64 * GIB; available += 37 * MIB) {
            long ring = RingBudget.defaultLiveRing(available);
            assertEquals(0, ring % MIB, "" + available);
            assertTrue(ring <= available / 4, available + " -> " + ring);
        }
    }

    @Test
    void bothRingsTogetherTakeABoundedShareOfAvailableMemory() throws Exception {
        Options options = parse("-i", "lo", "-o", "/tmp/x");
        for (long available = 256 * MIB; available <= 64 * GIB; available += 37 * MIB) {
            long ring = RingBudget.ringBytes(options, true, available);
            long kernel = RingBudget.kernelBuffer(options, available, ring);
            assertTrue(kernel >= LiveSource.MIN_KERNEL_BUFFER && kernel <= LiveSource.DEFAULT_KERNEL_BUFFER, "" + kernel);
            assertEquals(0, kernel % LiveSource.DEFAULT_BLOCK_SIZE);
            assertTrue(ring + kernel <= available * 35 / 100, available + " -> " + ring + " + " + kernel);
        }
        // README's table ("Sizing the buffers")
        assertEquals(256 * MIB, RingBudget.kernelBuffer(options, 22 * GIB, 2048 * MIB));
        assertEquals(256 * MIB, RingBudget.kernelBuffer(options, 8 * GIB, 1024 * MIB));
        assertEquals(168 * MIB, RingBudget.kernelBuffer(options, 1536 * MIB, 192 * MIB));
        assertEquals(62 * MIB + 512 * 1024, RingBudget.kernelBuffer(options, 600 * MIB, 100 * MIB));
    }

    @Test
    void anExplicitRingAndEveryInputButLiveCaptureKeepTheirSize() throws Exception {
        assertEquals(8 * MIB, RingBudget.ringBytes(parse("-i", "lo", "-r", "8", "-o", "/tmp/x"), true, 22 * GIB));
        assertEquals(100 * MIB, RingBudget.ringBytes(parse("-i", "lo", "-r", "100", "-o", "/tmp/x"), true, 22 * GIB));
        assertEquals(100 * MIB, RingBudget.ringBytes(parse("-i", "-", "-o", "/tmp/x"), false, 22 * GIB));
        assertEquals(32 * MIB, RingBudget.kernelBuffer(parse("-i", "lo", "-B", "32"), 22 * GIB, 2048 * MIB));
    }

    @Test
    void concludeSizesALiveRingFromMemoryButNotTheFilesItCuts() throws Exception {
        RunSettings live = RunSettings.conclude(parse("-i", "lo", "-o", "/tmp/x"));
        assertEquals(RingBudget.defaultLiveRing(live.availableMemory()), live.ringBytes());
        assertEquals(10 * 100 * MIB, live.rotateBytes(), "-C 10 of the original's 100 MiB, whatever the ring");
        assertEquals(3 * 100 * MIB, RunSettings.conclude(parse("-i", "lo", "-o", "/tmp/x", "-C", "3")).rotateBytes());
        RunSettings given = RunSettings.conclude(parse("-i", "lo", "-r", "8", "-o", "/tmp/x"));
        assertEquals(8 * MIB, given.ringBytes());
        assertEquals(80 * MIB, given.rotateBytes(), "an explicit -r keeps the original's meaning of -C");
        assertEquals(100 * MIB, RunSettings.conclude(parse("-i", "-", "-o", "/tmp/x")).ringBytes());
    }

    @Test
    void withFanoutTheBudgetIsTheWholeProcesssDividedAmongThePairs() throws Exception {
        RunSettings settings = RunSettings.conclude(parse("-i", "lo", "--fanout", "4", "-o", "/tmp/x"));
        assertEquals(RingBudget.defaultLiveRing(settings.availableMemory()), settings.ringBytes());
        long perPair = FanoutRun.share(settings.ringBytes(), 4, MIB, MIB);
        assertTrue(4 * perPair <= settings.ringBytes() && 4 * perPair > settings.ringBytes() - 4 * MIB, "" + perPair);
        assertEquals(512 * MIB, FanoutRun.share(RingBudget.defaultLiveRing(22 * GIB), 4, MIB, MIB));
    }

    @Test
    void theStartUpLineSaysTheBudgetAndHowLongAStallItAbsorbs() {
        assertEquals("an output stall is absorbed by 2304 MiB (kernel ring 256 + ring 2048): 19 s at 1 Gb/s",
                RingBudget.describe(true, 256 * MIB, 2048 * MIB, -1));
        assertEquals("an output stall is absorbed by 2304 MiB (kernel ring 256 + ring 2048): 1.9 s at 10 Gb/s (the link's speed)",
                RingBudget.describe(true, 256 * MIB, 2048 * MIB, 10_000_000_000L));
        assertEquals("an output stall is absorbed by 356 MiB (kernel ring 256 + ring 100): 0.12 s at 25 Gb/s (the link's speed)",
                RingBudget.describe(true, 256 * MIB, 100 * MIB, 25_000_000_000L));
        assertEquals("an output stall is absorbed by the 100 MiB ring only (--no-hold-kernel-blocks): 0.84 s at 1 Gb/s",
                RingBudget.describe(false, 256 * MIB, 100 * MIB, 0));
        assertEquals("an output stall is absorbed by 356 MiB (kernel ring 256 + ring 100): 1.2 s at 2.5 Gb/s (the link's speed)",
                RingBudget.describe(true, 256 * MIB, 100 * MIB, 2_500_000_000L));
    }
}
