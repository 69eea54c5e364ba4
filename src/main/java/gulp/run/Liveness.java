package gulp.run;

import gulp.stats.Counter;

/**
 * Whether every watched thread made progress since the last look: each role advances its
 * heartbeat counter once per turn of its loop, idle waiting included, so an idle capture is
 * healthy and only a thread stuck in one place (a read that never returns, a write to a dead
 * disk) stops its counter. Main thread only.
 */
final class Liveness {
    private final Counter[] beats;
    private final String[] names;
    private final long[] seen;

    /** @param names one per counter, for {@link #stuck()} ("reader", "writer") */
    Liveness(Counter[] beats, String[] names) {
        this.beats = beats.clone();
        this.names = names.clone();
        this.seen = new long[beats.length];
        for (int i = 0; i < beats.length; i++) {
            seen[i] = beats[i].get();
        }
    }

    /**
     * Looks at every counter; null when each has moved since the previous look, else the names of
     * those that have not ("writer", "reader and writer").
     */
    String stuck() {
        StringBuilder stuck = new StringBuilder();
        for (int i = 0; i < beats.length; i++) {
            long now = beats[i].get();
            if (now == seen[i]) {
                stuck.append(stuck.isEmpty() ? "" : " and ").append(names[i]);
            }
            seen[i] = now;
        }
        return stuck.isEmpty() ? null : stuck.toString();
    }
}
