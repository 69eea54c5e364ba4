package gulp.metrics;

import gulp.decap.SequenceGapTracker;

import java.util.function.IntToLongFunction;

/**
 * Bounded label values for ERSPAN sessions: the first {@value #LIMIT} sessions seen (at scrape
 * time) keep a label of their own ({@code "7"}) for the rest of the run; sessions seen after them
 * are summed under {@code "other"}. A session never moves between its own label and
 * {@code "other"}, so every series only grows, as a counter must.
 */
final class SessionLabels {
    static final int LIMIT = 64;
    static final String OTHER = "other";

    private final SequenceGapTracker tracker;
    private final boolean[] own = new boolean[SequenceGapTracker.SESSIONS];
    private int owned;

    SessionLabels(SequenceGapTracker tracker) {
        this.tracker = tracker;
    }

    /**
     * One value per session with its own label, then "other" if any session falls there. The
     * tracker's per-session values are plain 64-bit fields of the reader thread, read here a little
     * late, never torn on a 64-bit JVM.
     */
    synchronized void sample(IntToLongFunction value, Figure.Sample out) {
        long other = 0;
        boolean anyOther = false;
        for (int s = 0; s < SequenceGapTracker.SESSIONS; s++) {
            if (!own[s]) {
                if (tracker.packets(s) == 0) {
                    continue;
                }
                if (owned < LIMIT) {
                    own[s] = true;
                    owned++;
                } else {
                    other += value.applyAsLong(s);
                    anyOther = true;
                    continue;
                }
            }
            out.value(value.applyAsLong(s), Integer.toString(s));
        }
        if (anyOther) {
            out.value(other, OTHER);
        }
    }
}
