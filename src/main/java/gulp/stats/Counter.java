package gulp.stats;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A 64-bit counter written by exactly one thread and read by any: the owner does a plain read and
 * an opaque store (a plain store on x86, no fence), readers do opaque loads. Padded so counters of
 * different threads do not share a cache line.
 */
public final class Counter {
    private static final VarHandle VALUE;

    static {
        try {
            VALUE = MethodHandles.lookup().findVarHandle(Counter.class, "value", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused")
    private long p1, p2, p3, p4, p5, p6, p7;
    private long value;
    @SuppressWarnings("unused")
    private long q1, q2, q3, q4, q5, q6, q7;

    /** Owner thread only. */
    public void increment() {
        VALUE.setOpaque(this, value + 1);
    }

    /** Owner thread only. */
    public void add(long delta) {
        VALUE.setOpaque(this, value + delta);
    }

    /** Owner thread only: for totals that are read from elsewhere (kernel statistics). */
    public void set(long newValue) {
        VALUE.setOpaque(this, newValue);
    }

    /** Any thread. */
    public long get() {
        return (long) VALUE.getOpaque(this);
    }
}
