package gulp.ring;

import java.util.concurrent.locks.LockSupport;

/**
 * Backs off while a thread has nothing to do: spin briefly (data usually arrives within
 * microseconds under load), then yield, then park for growing intervals up to a ceiling, so an
 * idle thread costs next to no CPU but wakes within {@code maxParkNanos}.
 */
public final class IdleStrategy {
    private static final int SPINS = 200;
    private static final int YIELDS = 50;
    private static final long MIN_PARK_NANOS = 10_000;

    private final long maxParkNanos;
    private int idleCalls;
    private long parkNanos = MIN_PARK_NANOS;

    public IdleStrategy(long maxParkNanos) {
        this.maxParkNanos = Math.max(MIN_PARK_NANOS, maxParkNanos);
    }

    /** Called once per fruitless attempt. */
    public void idle() {
        if (idleCalls < SPINS) {
            idleCalls++;
            Thread.onSpinWait();
        } else if (idleCalls < SPINS + YIELDS) {
            idleCalls++;
            Thread.yield();
        } else {
            LockSupport.parkNanos(parkNanos);
            parkNanos = Math.min(parkNanos * 2, maxParkNanos);
        }
    }

    /** Called after useful work, so the next wait starts by spinning again. */
    public void reset() {
        idleCalls = 0;
        parkNanos = MIN_PARK_NANOS;
    }
}
