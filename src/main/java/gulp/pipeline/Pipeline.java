package gulp.pipeline;

import gulp.capture.InputException;
import gulp.ring.ByteRing;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;

/**
 * Runs one capture: the reader thread fills the ring, the writer thread drains it, and the calling
 * (main) thread ticks twice a second for status lines, time limits and stop requests.
 */
public final class Pipeline {
    /** The reader thread's work: read input and feed the ring until the end or a stop. */
    @FunctionalInterface
    public interface ReaderBody {
        void run() throws InputException, IOException;
    }

    /** Called by the main thread on every tick (status line, warnings). */
    @FunctionalInterface
    public interface Tick {
        void tick(long elapsedNanos);
    }

    private static final long TICK_NANOS = 500_000_000L;

    private final ByteRing ring;
    private final ReaderBody reader;
    private final Runnable writer; // pipeline.Writer, or the Kafka sink
    private final RunControl control;
    private final long durationNanos;
    private final Tick tick;
    private final RoleRunner roles;
    private volatile Thread readerThread;

    /** @param roles starts the reader and writer threads, set up for their roles */
    public Pipeline(ByteRing ring, ReaderBody reader, Runnable writer, RunControl control, double durationSeconds, Tick tick,
                    RoleRunner roles) {
        this.ring = ring;
        this.reader = reader;
        this.writer = writer;
        this.control = control;
        this.durationNanos = durationSeconds > 0 ? (long) (durationSeconds * 1e9) : Long.MAX_VALUE;
        this.tick = tick;
        this.roles = roles;
    }

    /** Runs to the end: every record the reader stored has been written (or the writer failed). */
    public void run() throws InterruptedException {
        Thread writerThread = roles.start(ThreadRole.WRITER, writer);
        readerThread = roles.start(ThreadRole.READER, this::readUntilDone);
        long start = System.nanoTime();
        boolean interrupted = false;
        while (readerThread.isAlive() || writerThread.isAlive()) {
            long elapsed = System.nanoTime() - start;
            long untilDeadline = durationNanos - elapsed;
            if (untilDeadline <= 0) {
                control.requestStop("duration reached");
            }
            if (control.stopRequested() && !interrupted) {
                // A reader blocked in read(2) on a pipe only returns when interrupted.
                readerThread.interrupt();
                interrupted = true;
            }
            // Until the deadline, wake for it; once it has passed (the run is draining) tick as usual.
            long wait = untilDeadline > 0 ? Math.min(TICK_NANOS, untilDeadline) : TICK_NANOS;
            readerThread.join(Math.max(1, wait / 1_000_000L));
            if (!readerThread.isAlive()) {
                writerThread.join(Math.max(1, wait / 1_000_000L));
            }
            if (tick != null) {
                tick.tick(System.nanoTime() - start);
            }
        }
    }

    private void readUntilDone() {
        try {
            reader.run();
            if (TestHook.READER_CRASHES) {
                throw TestHook.crash();
            }
        } catch (ClosedByInterruptException e) {
            // Stopped while waiting for input: everything read before is in the ring.
        } catch (InputException e) {
            control.readerFailed(e.getMessage());
        } catch (IOException e) {
            control.readerFailed("read error: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } catch (RuntimeException | Error e) {
            // A bug, or the JVM out of memory or stack: the run fails with status 1, but what the
            // ring holds is still written (finish below) and the counters are printed.
            control.threadCrashed("reader", e);
        } finally {
            Thread.interrupted();
            ring.producer().finish();
        }
    }
}
