package gulp.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * One O_DIRECT write at a time on a helper thread ({@code gulp-write-behind}), so that the
 * {@link FileAppender}'s thread copies the next chunk into staging meanwhile: an O_DIRECT write
 * does not return before the disk has the bytes, and done one after the other the copy and the
 * write add up. The helper only writes; whoever submitted waits with {@link #await} before it
 * touches the block again, and handles a failure itself (the helper neither retries nor reports).
 *
 * <p>One submitter thread (the writer). Started on the first {@link #submit}; {@link #close} ends it.
 */
final class WriteBehind implements AutoCloseable {
    private final Thread helper = Thread.ofPlatform().daemon().name("gulp-write-behind").unstarted(this::run);
    private Thread submitter;

    // Handed over with the volatile 'block' (submit) and 'done' (helper).
    private FileChannel channel;
    private long position;
    private IOException failure;
    private volatile ByteBuffer block; // submitted and not yet taken by the helper
    private volatile boolean done = true;
    private volatile boolean closed;

    /** Starts writing all of {@code bytes} at {@code at} on the helper; {@link #await} before the next. */
    void submit(FileChannel target, ByteBuffer bytes, long at) {
        if (submitter == null) {
            submitter = Thread.currentThread();
            helper.start();
        }
        channel = target;
        position = at;
        failure = null;
        done = false;
        block = bytes;
        LockSupport.unpark(helper);
    }

    /** Waits for the last submitted write; returns why it failed (it went part of the way or not at all), or null. */
    IOException await() {
        while (!done) {
            LockSupport.park(this);
        }
        return failure;
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(helper);
    }

    private void run() {
        while (!closed) {
            ByteBuffer bytes = block;
            if (bytes == null) {
                LockSupport.park(this);
                continue;
            }
            block = null;
            try {
                long at = position;
                while (bytes.hasRemaining()) {
                    at += channel.write(bytes, at);
                }
            } catch (IOException | RuntimeException e) {
                failure = e instanceof IOException io ? io : new IOException(e);
            }
            done = true;
            LockSupport.unpark(submitter);
        }
    }
}
