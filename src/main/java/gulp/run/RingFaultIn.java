package gulp.run;

import gulp.linux.Libc;
import gulp.linux.NativeException;
import gulp.pipeline.RoleRunner;
import gulp.ring.ByteRing;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Faults a live capture's rings in a bounded lead ahead of where each reader writes, on a thread
 * of its own, and locks them (mlock) as they fault in. A ring sized from memory is up to 2 GiB:
 * faulting all of it in at start cost 0.5-0.8 s of CPU and its whole size in RSS for every run,
 * even a capture of a few packets. Here memory is faulted in as the traffic needs it: the thread
 * keeps the pages from where the reader's published tail lies to {@link #LEAD} bytes past it
 * faulted in, a {@link #CHUNK} at a time (MADV_POPULATE_WRITE, which leaves the bytes as they are:
 * safe while the reader writes the same pages), and while it is that far ahead it parks and looks
 * at the tail again (plain loads on x86: the reader's path has no lock for it, one opaque store a batch).
 * An idle capture stays at about the lead, and so does one whose writer keeps up: the ring wraps
 * early (ByteRing) and its traffic stays in its first pages; a backlog takes the thread further.
 * Once every page of a ring is faulted in, or its tail has passed its end without an early wrap
 * (every page written once), the thread leaves that ring alone (and ends with the last one). A page the
 * reader reaches first (a burst faster than the thread) takes an ordinary page fault and is
 * locked all the same.
 * The lock is taken at {@link #start}, on the calling thread, before {@code --user} drops
 * privileges (mlock2 MLOCK_ONFAULT: each page is locked as it faults in); without CAP_IPC_LOCK (or
 * with too small an RLIMIT_MEMLOCK) one warning there, and the rings are faulted in unlocked.
 * {@link #close} stops it and waits (at most one chunk): open it after the arena that maps the
 * rings, in the same try-with-resources, so it closes first.
 */
final class RingFaultIn implements AutoCloseable {
    /**
     * How far ahead of the reader's published tail the pages are kept faulted in. The reader
     * publishes once per kernel block (1 MiB at most here) and writes at most about 1 GB/s at the
     * test bed's top rate, several GB/s only while it drains a backlog of the kernel ring; the
     * thread faults in about 4 GB/s. 64 MiB is 60 ms at 1 GB/s, past any wait of the thread for a
     * CPU it shares with the reader (BENCHMARKS.md §3.1: the reader's own page faults at the top
     * rate, by lead).
     */
    static final long LEAD = 64L << 20;
    /** What one call faults in: a stop waits at most this (about 1 ms), and the calls cost nothing. */
    static final long CHUNK = 4L << 20;
    /** The shortest wait while ahead: the reader writes at most a few MiB meanwhile. */
    static final long MIN_PARK_NANOS = 1_000_000L;
    /**
     * The longest wait while ahead: an idle or slow capture wakes the thread 20 times a second
     * (each wake-up costs some µs of CPU on the readers' CPU: waking every millisecond cost
     * more than the faults it saved in a 10 M-packet run at 75 k packets/s); a reader jumping
     * from idle to 10 Gb/s writes 62 MB in it, under the lead.
     */
    static final long MAX_PARK_NANOS = 50_000_000L;
    private static final long PAGE = gulp.linux.Libc.PAGE_SIZE;

    private final long lead;
    private Thread thread;
    private volatile boolean stopped;

    RingFaultIn() {
        this(LEAD);
    }

    /** With another lead (tests). */
    RingFaultIn(long lead) {
        if (lead < CHUNK) {
            throw new IllegalArgumentException("the lead must be at least one chunk");
        }
        this.lead = lead;
    }

    /**
     * Starts faulting {@code rings} in, each from where its reader writes (once per instance);
     * {@code warning} gets at most one line, from this thread. With {@code readerRaised} (the
     * readers run at nice {@value RoleRunner#READER_NICE}) the thread takes the readers' nice
     * value: its page faults are theirs, taken in bulk, and at a lower priority it would get a
     * tenth of a CPU the readers keep busy, fall behind and leave the faults to them. With
     * {@code cpu} (not -1) it runs on that CPU ({@link LivePlacement#helperCpu}: the writer's, when
     * it has one apart from the reader's or both were placed off the receive CPUs), since a reader
     * sharing its CPU with the receive softirq has no time to spare
     * (1 M x 1500 B at the top rate, mode B, one CPU for all: 0.5-0.7 s of faulting in during the
     * burst, and more kernel drops than with the ring faulted in at start, BENCHMARKS.md §3.1).
     */
    void start(List<ByteRing> rings, int cpu, boolean readerRaised, Consumer<String> warning) {
        if (thread != null) {
            throw new IllegalStateException("the rings are being faulted in already");
        }
        ByteRing[] all = rings.toArray(ByteRing[]::new);
        lock(all, warning);
        thread = Thread.ofPlatform().name("gulp-ring-fault-in").daemon().start(() -> {
            RoleRunner.setUpHelperThread(cpu, readerRaised);
            run(all);
        });
    }

    /**
     * Locks the rings as their pages fault in (mlock2 MLOCK_ONFAULT), here on the calling thread:
     * before {@code --user} drops the privilege that locking needs, and without faulting anything in.
     */
    private static void lock(ByteRing[] rings, Consumer<String> warning) {
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

    private void run(ByteRing[] rings) {
        Libc libc = Libc.current();
        long[] faulted = new long[rings.length]; // per ring: the offset from start(ring) faulted in up to
        int left = rings.length;
        long lastTails = 0;
        long lastLook = System.nanoTime();
        while (left > 0 && !stopped) {
            boolean faultedAny = false;
            long tails = 0;
            for (int i = 0; i < rings.length; i++) {
                ByteRing ring = rings[i];
                long span = span(ring);
                if (faulted[i] >= span) {
                    continue;
                }
                long tail = ring.published();
                tails += tail;
                if (tail >= ring.capacity() && ring.lastEarlyWrap() == 0) { // one pass: every page was written once
                    faulted[i] = span;
                    left--;
                    continue;
                }
                // The tail's offset from start(ring): after an early wrap (ByteRing) back near the
                // start, where the pages were faulted in already.
                long at = ring.buffer().address() - start(ring) + ring.publishedIndex();
                long from = Math.max(faulted[i], at & -PAGE);            // the reader faulted what it passed
                if (from - at >= lead) {
                    continue;
                }
                long length = Math.min(CHUNK, span - from);
                if (!libc.populateWrite(MemorySegment.ofAddress(start(ring) + from).reinterpret(length))) {
                    return; // refused (before Linux 5.14): the reader faults the pages in as it writes
                }
                faulted[i] = from + length;
                faultedAny = true;
                if (faulted[i] >= span) {
                    left--;
                }
            }
            if (!faultedAny && left > 0) {
                long now = System.nanoTime();
                LockSupport.parkNanos(this, park(tails - lastTails, now - lastLook));
                lastTails = tails;
                lastLook = now;
            }
        }
    }

    /**
     * How long to wait, every ring at least the lead ahead, when the readers wrote {@code moved}
     * bytes in the last {@code nanos}: the time they take for half the lead at that rate.
     */
    long park(long moved, long nanos) {
        if (moved <= 0) {
            return MAX_PARK_NANOS;
        }
        double wait = (double) (lead / 2) * nanos / moved;
        return (long) Math.max(MIN_PARK_NANOS, Math.min(MAX_PARK_NANOS, wait));
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

    private static long totalMiB(ByteRing[] rings) {
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
            LockSupport.unpark(thread);
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

    /** True once every ring has wrapped or is faulted in whole (or the thread stopped): for tests. */
    boolean done() {
        return thread != null && !thread.isAlive();
    }

    /** Waits until {@link #done()}; for tests. */
    void awaitDone() throws InterruptedException {
        thread.join();
    }
}
