package gulp.output;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileRotationPolicyTest {
    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong clock = new AtomicLong(1_700_000_007L * SECOND + 300_000_000L); // 7.3 s into a 10 s interval

    /**
     * Shows the policy one record as the writer does: asks whether to cut before it (a question),
     * starts a new file if so, then adds the record to the current file. Returns the answer.
     */
    private boolean offer(FileRotationPolicy p, long recordBytes, long timestampNanos) {
        boolean cut = p.cutBefore(recordBytes, timestampNanos);
        if (cut) {
            p.onNewFile(clock.get());
        }
        p.addRecord(recordBytes, timestampNanos);
        return cut;
    }

    @Test
    void cutBeforeHasNoSideEffects() {
        FileRotationPolicy p = new FileRotationPolicy(1000, 0, 0, false, 24, clock::get);
        p.addRecord(900, 0);
        for (int i = 0; i < 3; i++) {
            assertTrue(p.cutBefore(200, 0), "asked again: the same answer");
        }
        assertFalse(p.cutBefore(76, 0));
        p.addRecord(76, 0);
        assertTrue(p.cutBefore(1, 0));
        p.onNewFile(clock.get());
        assertFalse(p.cutBefore(1, 0), "an empty file is never cut");
    }

    @Test
    void packetTimeNamesFilesAfterTheirFirstRecordAndWallTimeAfterTheClock() {
        assertEquals(5L, timePolicy(60, true).nameTime(9, 5));
        assertEquals(9L, timePolicy(60, true).nameTime(9, -1), "no record timestamp: the clock");
        assertEquals(9L, timePolicy(60, false).nameTime(9, 5));
        assertEquals(9L, RotationPolicy.NEVER.nameTime(9, 5));
    }

    private FileRotationPolicy timePolicy(long seconds, boolean byPacketTime) {
        FileRotationPolicy p = new FileRotationPolicy(0, 0, seconds * SECOND, byPacketTime, 24, clock::get);
        p.onNewFile(clock.get());
        return p;
    }

    @Test
    void wallClockIntervalsEndOnMultiplesOfTheIntervalSinceTheEpoch() {
        FileRotationPolicy p = timePolicy(10, false);
        assertFalse(offer(p, 100, 0));
        clock.set(1_700_000_009L * SECOND + 999_000_000L);
        assertFalse(offer(p, 100, 0), "still in the interval that ends at ...10");
        clock.set(1_700_000_010L * SECOND);
        assertTrue(offer(p, 100, 0), "the first record at the boundary starts the next file");
        clock.set(1_700_000_019L * SECOND);
        assertFalse(offer(p, 100, 0), "next interval ends at ...20, not 10 s after the cut");
        clock.set(1_700_000_020L * SECOND + 1);
        assertTrue(offer(p, 100, 0));
    }

    @Test
    void anIdleFileIsFinishedAtTheEndOfItsInterval() {
        FileRotationPolicy p = timePolicy(10, false);
        assertFalse(offer(p, 100, 0));
        assertFalse(p.cutNow(1_700_000_009L * SECOND + 900_000_000L));
        assertTrue(p.cutNow(1_700_000_010L * SECOND + 100_000_000L), "asked 100 ms after the boundary");
        p.onNewFile(1_700_000_010L * SECOND + 100_000_000L);
        assertFalse(p.cutNow(1_700_000_030L * SECOND), "an empty file is never finished: no empty files while idle");
    }

    @Test
    void aFileStartedWhileIdleTakesTheIntervalOfItsFirstRecord() {
        FileRotationPolicy p = timePolicy(10, false);
        clock.set(1_700_000_055L * SECOND);
        assertFalse(offer(p, 100, 0), "first record of the file: never a cut");
        clock.set(1_700_000_059L * SECOND);
        assertFalse(offer(p, 100, 0));
        clock.set(1_700_000_060L * SECOND);
        assertTrue(offer(p, 100, 0));
    }

    @Test
    void packetTimeIntervalsFollowTheRecordTimestampsNotTheClock() {
        FileRotationPolicy p = timePolicy(60, true);
        long t = 1_600_000_000L * SECOND; // 1600000000 = 26666666 min + 40 s
        assertFalse(offer(p, 100, t));
        assertFalse(offer(p, 100, t + 19 * SECOND));
        assertTrue(offer(p, 100, t + 20 * SECOND));
        assertFalse(p.cutNow(Long.MAX_VALUE / 2), "the wall clock does not cut packet-time files");
        assertFalse(offer(p, 100, t + 79 * SECOND));
        assertTrue(offer(p, 100, t + 80 * SECOND));
    }

    @Test
    void sizeLimitCountsTheFileHeaderAndCutsBeforeTheRecordThatWouldExceedIt() {
        FileRotationPolicy p = new FileRotationPolicy(1000, 0, 0, false, 24, clock::get);
        assertFalse(offer(p, 500, 0));
        assertFalse(offer(p, 476, 0)); // 24 + 976 = 1000: exactly full
        assertTrue(offer(p, 1, 0));
        assertFalse(offer(p, 975, 0)); // 24 + 1 + 975
        assertTrue(offer(p, 1, 0));
    }

    @Test
    void aRecordLargerThanTheLimitGetsAFileOfItsOwn() {
        FileRotationPolicy p = new FileRotationPolicy(100, 0, 0, false, 24, clock::get);
        assertFalse(offer(p, 5000, 0));
        assertTrue(offer(p, 10, 0));
        assertTrue(offer(p, 5000, 0));
    }

    @Test
    void packetCountCutsAfterEveryNRecords() {
        FileRotationPolicy p = new FileRotationPolicy(0, 3, 0, false, 24, clock::get);
        for (int file = 0; file < 4; file++) {
            assertTrue(offer(p, 10, 0) == (file > 0));
            assertFalse(offer(p, 10, 0));
            assertFalse(offer(p, 10, 0));
        }
    }

    @Test
    void hangupEndsTheCurrentFileOnceBeforeTheNextRecordOrWhileIdle() {
        FileRotationPolicy p = new FileRotationPolicy(0, 0, 0, false, 24, clock::get);
        p.requestRotation();
        assertFalse(offer(p, 10, 0), "nothing to finish yet");
        assertFalse(p.cutNow(0));
        p.requestRotation();
        assertTrue(offer(p, 10, 0));
        assertFalse(offer(p, 10, 0));
        p.requestRotation();
        assertTrue(p.cutNow(0), "idle: cut at the last record boundary");
        p.onNewFile(0);
        assertFalse(p.cutNow(0));
        assertFalse(offer(p, 10, 0));
    }

    @Test
    void anyCutResetsEveryCriterion() {
        FileRotationPolicy p = new FileRotationPolicy(1000, 3, 0, false, 24, clock::get);
        assertFalse(offer(p, 900, 0));
        assertTrue(offer(p, 200, 0), "size");
        assertFalse(offer(p, 10, 0));
        assertFalse(offer(p, 10, 0));
        assertTrue(offer(p, 10, 0), "count: the record moved by the size cut counts as the first of the new file");
    }
}
