package gulp.output;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileRotationPolicyTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong clock = new AtomicLong(1_700_000_007L * SECOND + 300_000_000L); // 7.3 s into a 10 s interval

    private FileRotationPolicy timePolicy(long seconds, boolean byPacketTime) {
        FileRotationPolicy p = new FileRotationPolicy(0, 0, seconds * SECOND, byPacketTime, 24, clock::get);
        p.onNewFile(clock.get(), -1);
        return p;
    }

    @Test
    void wallClockIntervalsEndOnMultiplesOfTheIntervalSinceTheEpoch() {
        FileRotationPolicy p = timePolicy(10, false);
        assertFalse(p.cutBefore(100, 0));
        clock.set(1_700_000_009L * SECOND + 999_000_000L);
        assertFalse(p.cutBefore(100, 0), "still in the interval that ends at ...10");
        clock.set(1_700_000_010L * SECOND);
        assertTrue(p.cutBefore(100, 0), "the first record at the boundary starts the next file");
        clock.set(1_700_000_019L * SECOND);
        assertFalse(p.cutBefore(100, 0), "next interval ends at ...20, not 10 s after the cut");
        clock.set(1_700_000_020L * SECOND + 1);
        assertTrue(p.cutBefore(100, 0));
    }

    @Test
    void anIdleFileIsFinishedAtTheEndOfItsInterval() {
        FileRotationPolicy p = timePolicy(10, false);
        assertFalse(p.cutBefore(100, 0));
        assertFalse(p.cutNow(1_700_000_009L * SECOND + 900_000_000L));
        assertTrue(p.cutNow(1_700_000_010L * SECOND + 100_000_000L), "asked 100 ms after the boundary");
        p.onNewFile(1_700_000_010L * SECOND + 100_000_000L, -1);
        assertFalse(p.cutNow(1_700_000_030L * SECOND), "an empty file is never finished: no empty files while idle");
    }

    @Test
    void aFileStartedWhileIdleTakesTheIntervalOfItsFirstRecord() {
        FileRotationPolicy p = timePolicy(10, false);
        clock.set(1_700_000_055L * SECOND);
        assertFalse(p.cutBefore(100, 0), "first record of the file: never a cut");
        clock.set(1_700_000_059L * SECOND);
        assertFalse(p.cutBefore(100, 0));
        clock.set(1_700_000_060L * SECOND);
        assertTrue(p.cutBefore(100, 0));
    }

    @Test
    void packetTimeIntervalsFollowTheRecordTimestampsNotTheClock() {
        FileRotationPolicy p = timePolicy(60, true);
        long t = 1_600_000_000L * SECOND; // 1600000000 = 26666666 min + 40 s
        assertFalse(p.cutBefore(100, t));
        assertFalse(p.cutBefore(100, t + 19 * SECOND));
        assertTrue(p.cutBefore(100, t + 20 * SECOND));
        assertFalse(p.cutNow(Long.MAX_VALUE / 2), "the wall clock does not cut packet-time files");
        assertFalse(p.cutBefore(100, t + 79 * SECOND));
        assertTrue(p.cutBefore(100, t + 80 * SECOND));
    }

    @Test
    void sizeLimitCountsTheFileHeaderAndCutsBeforeTheRecordThatWouldExceedIt() {
        FileRotationPolicy p = new FileRotationPolicy(1000, 0, 0, false, 24, clock::get);
        assertFalse(p.cutBefore(500, 0));
        assertFalse(p.cutBefore(476, 0)); // 24 + 976 = 1000: exactly full
        assertTrue(p.cutBefore(1, 0));
        assertFalse(p.cutBefore(975, 0)); // 24 + 1 + 975
        assertTrue(p.cutBefore(1, 0));
    }

    @Test
    void aRecordLargerThanTheLimitGetsAFileOfItsOwn() {
        FileRotationPolicy p = new FileRotationPolicy(100, 0, 0, false, 24, clock::get);
        assertFalse(p.cutBefore(5000, 0));
        assertTrue(p.cutBefore(10, 0));
        assertTrue(p.cutBefore(5000, 0));
    }

    @Test
    void packetCountCutsAfterEveryNRecords() {
        FileRotationPolicy p = new FileRotationPolicy(0, 3, 0, false, 24, clock::get);
        for (int file = 0; file < 4; file++) {
            assertTrue(p.cutBefore(10, 0) == (file > 0));
            assertFalse(p.cutBefore(10, 0));
            assertFalse(p.cutBefore(10, 0));
        }
    }

    @Test
    void hangupEndsTheCurrentFileOnceBeforeTheNextRecordOrWhileIdle() {
        FileRotationPolicy p = new FileRotationPolicy(0, 0, 0, false, 24, clock::get);
        p.requestRotation();
        assertFalse(p.cutBefore(10, 0), "nothing to finish yet");
        assertFalse(p.cutNow(0));
        p.requestRotation();
        assertTrue(p.cutBefore(10, 0));
        p.onNewFile(0, 0);
        assertFalse(p.cutBefore(10, 0));
        p.requestRotation();
        assertTrue(p.cutNow(0), "idle: cut at the last record boundary");
        p.onNewFile(0, -1);
        assertFalse(p.cutNow(0));
        assertFalse(p.cutBefore(10, 0));
    }

    @Test
    void anyCutResetsEveryCriterion() {
        FileRotationPolicy p = new FileRotationPolicy(1000, 3, 0, false, 24, clock::get);
        assertFalse(p.cutBefore(900, 0));
        assertTrue(p.cutBefore(200, 0), "size");
        p.onNewFile(0, 0);
        assertFalse(p.cutBefore(10, 0));
        assertFalse(p.cutBefore(10, 0));
        assertTrue(p.cutBefore(10, 0), "count: the record moved by the size cut counts as the first of the new file");
    }
}
