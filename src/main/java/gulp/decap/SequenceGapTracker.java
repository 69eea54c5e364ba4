package gulp.decap;

import gulp.stats.Counter;

/**
 * Upstream loss per ERSPAN session, from the GRE sequence numbers (32 bits, wrapping).
 * <p>
 * The last {@value #WINDOW} sequence numbers below the highest seen are kept in a bitmap, so a
 * packet that arrives up to {@value #WINDOW} - 1 places late is "reordered", not lost. A number
 * counts as missing once it falls out of that window without having arrived (or at the end of the
 * run, see {@link #missing(int)}). A gap is a run of consecutive missing numbers. A jump of more than
 * {@value #RESTART_DISTANCE} either way is taken as the mirror session restarting (counted, not loss).
 * So is a jump back of more than {@value #MISORDER_LIMIT} once the next packet follows on from it, as
 * RTP receivers decide (RFC 3550, A.1): a switch that reloads starts again from a low number, and
 * counting all its packets as "late" until they pass the old highest would hide its losses.
 * <p>
 * One per reader thread; no allocation after construction.
 */
public final class SequenceGapTracker {
    public static final int SESSIONS = DecapConfig.MAX_ERSPAN_SESSION + 1;
    public static final int WINDOW = 64;
    public static final int RESTART_DISTANCE = 1 << 20;
    /**
     * A packet at most this far behind is taken as late, never as a restart: a delayed burst of
     * consecutive packets must not look like one (RTP receivers use 100, RFC 3550 A.1).
     */
    public static final int MISORDER_LIMIT = 4096;

    private final boolean[] started = new boolean[SESSIONS];
    private final int[] highest = new int[SESSIONS];
    /** Bit i set = sequence number (highest - i) arrived. */
    private final long[] window = new long[SESSIONS];
    /** Window positions that belong to this run (0..span-1); older ones predate the first packet. */
    private final int[] span = new int[SESSIONS];
    private final boolean[] lastEvictedMissing = new boolean[SESSIONS];
    private final long[] packets = new long[SESSIONS];
    private final long[] gaps = new long[SESSIONS];
    private final long[] missing = new long[SESSIONS];
    private final long[] duplicates = new long[SESSIONS];
    private final long[] reordered = new long[SESSIONS];
    private final long[] restarts = new long[SESSIONS];
    /** After a jump back beyond the window: the number that confirms a restart if it comes next. */
    private final int[] restartIfNext = new int[SESSIONS];
    private final boolean[] restartPending = new boolean[SESSIONS];
    /** All sessions' settled missing numbers, readable from the status thread. */
    private final Counter missingAllSessions = new Counter();

    /** Records one packet of {@code session} (0-1023) with GRE sequence number {@code sequence}. */
    public void observe(int session, int sequence) {
        packets[session]++;
        if (!started[session]) {
            start(session, sequence);
            return;
        }
        int distance = sequence - highest[session]; // signed 32-bit difference handles the wrap
        boolean confirmsRestart = restartPending[session] && sequence == restartIfNext[session];
        restartPending[session] = false;
        if (distance > 0 && distance <= RESTART_DISTANCE) {
            advance(session, sequence, distance);
        } else if (distance == 0) {
            duplicates[session]++;
        } else if (distance < 0 && distance > -WINDOW) {
            late(session, -distance);
        } else if (confirmsRestart) {
            // This packet and the one before it were counted late; they are the new run's first two.
            reordered[session]--;
            restart(session, sequence - 1);
            advance(session, sequence, 1);
        } else if (distance < 0 && distance >= -MISORDER_LIMIT) {
            reordered[session]++; // very late: already counted missing when it left the window
        } else if (distance < 0 && distance >= -RESTART_DISTANCE) {
            reordered[session]++; // far too late to be reordering, or a restart: the next packet tells
            restartPending[session] = true;
            restartIfNext[session] = sequence + 1;
        } else {
            restart(session, sequence);
        }
    }

    private void restart(int session, int sequence) {
        restarts[session]++;
        flushWindow(session);
        start(session, sequence);
    }

    private void start(int session, int sequence) {
        started[session] = true;
        highest[session] = sequence;
        window[session] = 1L;
        span[session] = 1;
        lastEvictedMissing[session] = false;
    }

    private void advance(int session, int sequence, int distance) {
        long bits = window[session];
        int validSpan = span[session];
        // Old positions p move to p + distance; those reaching WINDOW leave, oldest first.
        int firstLeaving = Math.max(0, WINDOW - distance);
        for (int p = validSpan - 1; p >= firstLeaving; p--) evict(session, ((bits >>> p) & 1L) == 0L, 1);
        // Numbers skipped so far that they never enter the window: one run of missing numbers.
        if (distance > WINDOW) evict(session, true, distance - WINDOW);
        window[session] = (distance >= WINDOW ? 0L : bits << distance) | 1L;
        span[session] = Math.min(WINDOW, validSpan + distance);
        highest[session] = sequence;
    }

    private void evict(int session, boolean wasMissing, long count) {
        if (wasMissing) {
            if (!lastEvictedMissing[session]) gaps[session]++;
            missing[session] += count;
            missingAllSessions.add(count);
        }
        lastEvictedMissing[session] = wasMissing;
    }

    private void late(int session, int behind) {
        if (behind >= span[session]) {
            // Older than the window (already counted missing) or than the first packet: nothing to undo.
            reordered[session]++;
            return;
        }
        long bit = 1L << behind;
        if ((window[session] & bit) != 0) {
            duplicates[session]++;
        } else {
            window[session] |= bit;
            reordered[session]++;
        }
    }

    private void flushWindow(int session) {
        long bits = window[session];
        for (int p = span[session] - 1; p >= 1; p--) evict(session, ((bits >>> p) & 1L) == 0L, 1);
    }

    public long packets(int session) { return packets[session]; }

    /**
     * Packets missing upstream in all sessions, as far as settled (holes still inside the reorder
     * window are not yet counted); safe to read from any thread, for the {@code -V} status line.
     */
    public long missingAllSessions() { return missingAllSessions.get(); }

    /** Gaps so far, including holes still inside the reorder window (they are assumed lost). */
    public long gaps(int session) { return holes(session, true); }

    /** Sequence numbers missing so far, including holes still inside the reorder window. */
    public long missing(int session) { return holes(session, false); }

    /** Sequence numbers missing so far that have left the reorder window (only grows; for metrics). */
    public long missingSettled(int session) { return missing[session]; }

    public long duplicates(int session) { return duplicates[session]; }

    public long reordered(int session) { return reordered[session]; }

    public long restarts(int session) { return restarts[session]; }

    private long holes(int session, boolean countGaps) {
        long gapCount = gaps[session];
        long missingCount = missing[session];
        boolean previousMissing = lastEvictedMissing[session];
        long bits = window[session];
        for (int p = span[session] - 1; p >= 1; p--) {
            boolean isMissing = ((bits >>> p) & 1L) == 0L;
            if (isMissing) {
                if (!previousMissing) gapCount++;
                missingCount++;
            }
            previousMissing = isMissing;
        }
        return countGaps ? gapCount : missingCount;
    }

    /** One line per session that carried sequence numbers, e.g. {@code session 7: 3 gaps, 1204 packets missing upstream}. */
    public void appendSummary(StringBuilder out) {
        for (int s = 0; s < SESSIONS; s++) {
            if (packets[s] == 0) continue;
            long g = gaps(s);
            out.append("session ").append(s).append(": ")
                    .append(g).append(g == 1 ? " gap, " : " gaps, ")
                    .append(missing(s)).append(" packets missing upstream");
            if (reordered[s] != 0) out.append(", ").append(reordered[s]).append(" reordered");
            if (duplicates[s] != 0) out.append(", ").append(duplicates[s]).append(" duplicates");
            if (restarts[s] != 0) out.append(", ").append(restarts[s]).append(" sequence restarts");
            out.append(" (").append(packets[s]).append(" packets seen)\n");
        }
    }
}
