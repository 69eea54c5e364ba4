package gulp.output;

import gulp.linux.IoVec;
import gulp.linux.Libc;
import gulp.linux.NativeException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.LockSupport;

/**
 * One O_DIRECT write in flight on a helper thread of its own ({@code gulp-write-behind-N}): the
 * {@link DirectWrites} of a file keeps several of these busy, so that the disk always has a write
 * queued while the writer thread goes back to the ring (an O_DIRECT write does not return before
 * the disk has the bytes). Each owns an aligned buffer (the bytes of its write that are not written
 * from where they are: a staged chunk, or the partial block in front of the ring's whole blocks)
 * and a two-entry {@link IoVec} array; the submitter fills both, {@link #submit}s, and waits with
 * {@link #await} before it touches either again. The helper only writes (a gathering
 * {@link Libc#pwritev}, continued after a short write); it neither retries nor reports a failure:
 * {@link #await} returns it with how far the write got ({@link #reached}).
 *
 * <p>Handover by park/unpark with volatile flags: no lock, no allocation per write. One submitter
 * thread (the writer). The helper starts on the first {@link #submit}; {@link #close} ends it.
 */
final class WriteBehind implements AutoCloseable {
    static final int MAX_BUFFERS = 2;

    private final Thread helper;
    private final int alignment;
    private Thread submitter;
    private MemorySegment buffer;
    private final MemorySegment iov;

    // Handed over with the volatile 'pending' (submit) and 'done' (helper).
    private int fd;
    private final long[] bases = new long[MAX_BUFFERS];   // the buffers as set, for a restart
    private final long[] lengths = new long[MAX_BUFFERS];
    private int count;
    private int first;      // the first iov entry not yet written whole
    private long position;
    private long total;
    private long reached;
    private IOException failure;
    private volatile boolean pending;
    private volatile boolean done = true;
    private volatile boolean closed;

    /** @param bufferBytes the size of this write's own buffer, a multiple of {@code alignment} */
    WriteBehind(int index, int bufferBytes, int alignment) {
        Arena arena = Arena.ofAuto();
        this.buffer = arena.allocate(bufferBytes, alignment);
        this.iov = arena.allocate((long) IoVec.SIZE * MAX_BUFFERS, 8);
        this.alignment = alignment;
        this.helper = Thread.ofPlatform().daemon().name("gulp-write-behind-" + index).unstarted(this::run);
    }

    /** This write's own aligned memory (free to change only while no write is in flight). */
    MemorySegment buffer() {
        return buffer;
    }

    /** Gives this write {@code other} as its own buffer (no write in flight) and returns the one it had. */
    MemorySegment swapBuffer(MemorySegment other) {
        MemorySegment had = buffer;
        buffer = other;
        return had;
    }

    /** Sets buffer {@code i} of the next write: {@code length} bytes at {@code address}. */
    void set(int i, long address, long length) {
        bases[i] = address;
        lengths[i] = length;
    }

    /** Starts writing the {@code buffers} set with {@link #set} ({@code bytes} in all) at {@code at}. */
    void submit(int target, int buffers, long at, long bytes) {
        if (submitter == null) {
            submitter = Thread.currentThread();
            helper.start();
        }
        fd = target;
        count = buffers;
        position = at;
        total = bytes;
        restart();
    }

    /** Writes the last submitted write again, all of it (what it wrote was cut off the file). */
    void restart() {
        skipTo(0);
        start();
    }

    /** The iov array as set, advanced past {@code bytes} (a multiple of the alignment): {@link #reached} is then that. */
    private void skipTo(long bytes) {
        first = 0;
        long skip = bytes;
        for (int i = 0; i < count; i++) {
            long take = Math.min(skip, lengths[i]);
            IoVec.set(iov, i, bases[i] + take, lengths[i] - take);
            skip -= take;
            if (take == lengths[i] && first == i) {
                first = i + 1;
            }
        }
        reached = bytes;
    }

    /** After a failed write: writes the rest of it again, from where it stopped ({@link #reached}). */
    void resume() {
        start();
    }

    private void start() {
        failure = null;
        done = false;
        pending = true;
        LockSupport.unpark(helper);
    }

    /** Whether no write is in flight (the last one completed, or none was submitted). */
    boolean done() {
        return done;
    }

    /** After {@link #done()}: whether the last write failed. */
    boolean failed() {
        return failure != null;
    }

    /** Waits for the last submitted write; returns why it failed (it got {@link #reached} bytes far), or null. */
    IOException await() {
        while (!done) {
            LockSupport.park(this);
        }
        return failure;
    }

    /** After {@link #await}: how many bytes from the write's start reached the file. */
    long reached() {
        return reached;
    }

    /** After {@link #await}: where the last write started. */
    long position() {
        return position;
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(helper);
    }

    private void run() {
        Libc libc = Libc.current();
        while (!closed) {
            if (!pending) {
                LockSupport.park(this);
                continue;
            }
            pending = false;
            try {
                writeRest(libc);
            } catch (IOException e) {
                failure = e;
            } catch (Throwable e) { // never leaves the submitter parked: it handles this as the write's failure
                failure = new IOException("an O_DIRECT write failed: " + e, e);
            }
            done = true;
            LockSupport.unpark(submitter);
        }
    }

    /** Writes from {@link #reached} to {@link #total}, the iov array advanced past what reached the file. */
    private void writeRest(Libc libc) throws IOException {
        while (reached < total) {
            long n;
            try {
                n = libc.pwritev(fd, first == 0 ? iov : iov.asSlice((long) first * IoVec.SIZE), count - first, position + reached);
            } catch (NativeException e) {
                if (e.errno() == Libc.EINTR) {
                    continue;
                }
                String reason = Libc.strerror(e.errno());
                throw OutOfSpaceException.isOutOfSpace(e.errno()) ? new OutOfSpaceException(null, reason) : new IOException(reason);
            }
            if (n == 0) {
                throw new IOException("the file system took no bytes of an O_DIRECT write");
            }
            // A short write (a full disk): go on from the last whole block that reached the file, as
            // O_DIRECT writes must start at an aligned offset (the entries are whole blocks).
            long to = reached + n;
            skipTo(to < total ? to / alignment * alignment : to);
        }
    }
}
