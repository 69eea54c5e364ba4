package gulp.run;

import gulp.linux.Libc;
import gulp.linux.NativeException;
import gulp.ring.ByteRing;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;

/**
 * Faults a live capture's rings in and locks them (mlock) on a thread of its own, a chunk at a
 * time from where each reader starts writing, while capture already runs. A ring sized from
 * memory is up to 2 GiB: faulting that in before the reader starts (MAP_POPULATE, then mlock)
 * took 0.4-0.5 s of CPU on the test VM when quiet and several seconds when busy, all of it after
 * the bind, while only the kernel ring (256 MiB: 0.2 s at 10 Gb/s) held the traffic. Here the
 * reader starts at once and meets pages already faulted in: the thread runs several GB/s ahead of
 * any line rate; a page the reader reaches first takes an ordinary page fault and is locked when
 * the thread gets there. The lock is taken at {@link #start}, on the calling thread, before
 * {@code --user} drops privileges (mlock2 MLOCK_ONFAULT: each page is locked as it faults in);
 * without CAP_IPC_LOCK (or with too small an RLIMIT_MEMLOCK) one warning there, and the rings are
 * faulted in unlocked (MADV_POPULATE_WRITE, which leaves the bytes as they are).
 * {@link #close} stops it and waits (at most one chunk): open it after the arena that maps the
 * rings, in the same try-with-resources, so it closes first.
 */
final class RingFaultIn implements AutoCloseable {
    /** What one call faults in: small enough that a stop waits little, large enough that calls cost nothing. */
    static final long CHUNK = 16L << 20;
    private static final long PAGE = 4096;

    private Thread thread;
    private volatile boolean stopped;

    /**
     * Starts faulting {@code rings} in (round robin by chunk, each from its start; once per
     * instance); {@code warning} gets at most one line, from this thread.
     */
    void start(List<ByteRing> rings, Consumer<String> warning) {
        if (thread != null) {
            throw new IllegalStateException("the rings are being faulted in already");
        }
        List<ByteRing> all = List.copyOf(rings);
        lock(all, warning);
        thread = Thread.ofPlatform().name("gulp-ring-fault-in").daemon().start(() -> run(all));
    }

    /**
     * Locks the rings as their pages fault in (mlock2 MLOCK_ONFAULT), here on the calling thread:
     * before {@code --user} drops the privilege that locking needs, and without faulting anything in.
     */
    private static void lock(List<ByteRing> rings, Consumer<String> warning) {
        Libc libc = Libc.current();
        for (ByteRing ring : rings) {
            try {
                libc.mlockOnFault(MemorySegment.ofAddress(start(ring)).reinterpret(span(ring)));
            } catch (NativeException e) {
                warning.accept("warning: cannot lock the ring in memory (" + e.getMessage()
                        + "); it may be swapped out (needs CAP_IPC_LOCK, or RLIMIT_MEMLOCK of " + (totalMiB(rings))
                        + " MiB or more: LimitMEMLOCK=, ulimit -l)");
                return;
            }
        }
    }

    private void run(List<ByteRing> rings) {
        Libc libc = Libc.current();
        boolean populating = true;
        long longest = 0;
        for (ByteRing ring : rings) {
            longest = Math.max(longest, span(ring));
        }
        for (long offset = 0; offset < longest && !stopped && populating; offset += CHUNK) {
            for (ByteRing ring : rings) {
                long span = span(ring);
                if (offset >= span || stopped) {
                    continue;
                }
                MemorySegment chunk = MemorySegment.ofAddress(start(ring) + offset).reinterpret(Math.min(CHUNK, span - offset));
                populating = populating && libc.populateWrite(chunk); // locked as it faults in; before 5.14: on first touch
            }
        }
    }

    /** The page-aligned start of a ring's memory (its bytes begin a few bytes past a page boundary). */
    private static long start(ByteRing ring) {
        return ring.buffer().address() & -PAGE;
    }

    /** The whole pages that hold a ring's bytes. */
    private static long span(ByteRing ring) {
        long end = ring.buffer().address() + ring.buffer().byteSize();
        return (end + PAGE - 1 & -PAGE) - start(ring);
    }

    private static long totalMiB(List<ByteRing> rings) {
        long bytes = 0;
        for (ByteRing ring : rings) {
            bytes += ring.capacity();
        }
        return bytes >> 20;
    }

    /** Stops faulting in and waits for the thread (before the rings' memory is unmapped). */
    @Override
    public void close() {
        stopped = true;
        boolean interrupted = false;
        while (thread != null && thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** True once every chunk is faulted in (or the thread stopped): for tests and the start-up trace. */
    boolean done() {
        return thread != null && !thread.isAlive();
    }

    /** Waits until every chunk is faulted in (or the thread stopped); for tests. */
    void awaitDone() throws InterruptedException {
        thread.join();
    }
}
