package gulp.decap;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SequenceGapTrackerTest {
    final SequenceGapTracker t = new SequenceGapTracker();

    void feed(int session, long... sequences) { for (long s : sequences) t.observe(session, (int) s); }

    @Test
    void consecutiveNumbersAcrossTheWrapAreNoLoss() {
        feed(1, 0xFFFF_FFFEL, 0xFFFF_FFFFL, 0, 1, 2);
        assertEquals(0, t.gaps(1));
        assertEquals(0, t.missing(1));
    }

    @Test
    void gapsAcrossTheWrapAreCountedOnce() {
        feed(1, 0xFFFF_FFFDL, 1, 2); // missing FFFFFFFE, FFFFFFFF, 0
        assertEquals(1, t.gaps(1));
        assertEquals(3, t.missing(1));
    }

    @Test
    void smallReorderingIsNotLossButLateBeyondTheWindowIs() {
        feed(2, 1, 3, 2, 4);
        assertEquals(0, t.missing(2));
        assertEquals(1, t.reordered(2));
        for (int s = 5; s < 200; s++) if (s != 50) feed(2, s);
        assertEquals(1, t.missing(2));
        feed(2, 50); // far too late: already counted
        assertEquals(1, t.missing(2));
    }

    @Test
    void largeGapsAreSummed() {
        feed(3, 10, 11, 1000, 1001, 5000);
        assertEquals(2, t.gaps(3));
        assertEquals(988 + 3998, t.missing(3));
    }

    @Test
    void duplicatesAreCountedNotLost() {
        feed(4, 1, 2, 2, 3, 1);
        assertEquals(2, t.duplicates(4));
        assertEquals(0, t.missing(4));
    }

    @Test
    void aHugeJumpIsASessionRestartNotLoss() {
        feed(5, 5_000_000, 5_000_001, 1, 2, 3);
        assertEquals(1, t.restarts(5));
        assertEquals(0, t.missing(5));
    }

    @Test
    void aSessionThatStartsAgainFromALowNumberIsARestartAndItsLaterLossIsCounted() {
        for (int s = 1000; s < 300_000; s++) feed(6, s);
        feed(6, 0, 1, 2, 3, 10, 11); // the switch reloaded; then 4..9 lost
        assertEquals(1, t.restarts(6));
        assertEquals(0, t.reordered(6));
        assertEquals(1, t.gaps(6));
        assertEquals(6, t.missing(6));
    }

    @Test
    void aDelayedBurstOfConsecutivePacketsIsLateNotARestart() {
        for (int s = 1; s < 200; s++) if (s != 50 && s != 51) feed(10, s);
        feed(10, 50, 51);
        for (int s = 200; s < 400; s++) feed(10, s);
        assertEquals(0, t.restarts(10));
        assertEquals(2, t.reordered(10));
        assertEquals(2, t.missing(10)); // counted when they left the window
    }

    @Test
    void aJumpOfHalfTheSequenceSpaceIsARestartNotADuplicate() {
        feed(11, 10, 10 + Integer.MIN_VALUE);
        assertEquals(1, t.restarts(11));
        assertEquals(0, t.duplicates(11));
    }

    @Test
    void oneVeryLatePacketIsNotARestart() {
        for (int s = 1; s < 200; s++) if (s != 50) feed(8, s);
        feed(8, 50, 200, 201);
        assertEquals(0, t.restarts(8));
        assertEquals(1, t.reordered(8));
        assertEquals(1, t.missing(8)); // counted when it left the window
    }

    @Test
    void summaryHasOneLinePerSession() {
        feed(7, 1, 2, 1207);
        feed(9, 1, 2);
        StringBuilder s = new StringBuilder();
        t.appendSummary(s);
        assertTrue(s.toString().contains("session 7: 1 gap, 1204 packets missing upstream"), s.toString());
        assertTrue(s.toString().contains("session 9: 0 gaps, 0 packets missing upstream"), s.toString());
        assertEquals(2, s.toString().lines().count());
    }
}
