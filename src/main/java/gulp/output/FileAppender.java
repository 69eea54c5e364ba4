package gulp.output;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.function.Consumer;

/**
 * The write path of one output file (an {@code -o} file, or stdout when it is a regular file):
 * bytes appended at increasing file offsets, buffered or with O_DIRECT.
 *
 * <p>O_DIRECT goes through {@link DirectWrites}: an append returns once its writes are submitted
 * (several in flight), so the bytes it was given stay in use until {@link #bytesInFlight()} no
 * longer counts them: the writer releases ring bytes only behind that. {@link #flush} waits for
 * every write and gives the file exactly its data (the partial last block written padded, the
 * padding and the preallocated tail cut off); the next append rewrites that last block. Buffered
 * appends are written when they return.
 *
 * <p>A failed write goes to the {@link ErrorHandler} (a full disk or quota as an
 * {@link OutOfSpaceException}): it returns to have the write retried (it made room on a full
 * disk), or throws. Either way {@link #written()} says how far the file holds the right bytes, so
 * a failed output can keep every complete record that reached it: after an {@link #appendData} or
 * {@link #flush} failed for good, {@link #failedDataProgress} says how much reached the file beyond
 * what was known written ({@link #bytesInFlight()} before it) and {@link #cutBackPoint} where the
 * file must end to hold only what the writer counted.
 *
 * <p>Writer thread only.
 */
final class FileAppender {
    /** What to do about a failed write: return to retry it, or throw to give up. */
    interface ErrorHandler {
        void handle(IOException e) throws IOException;
    }

    /**
     * The write size of O_DIRECT output when {@code -z} is not given: two writes of 2 MiB in flight
     * beat one of 4 MiB on this disk ({@code bench/direct-qd.sh}, BENCHMARKS.md §3.2).
     */
    public static final int DIRECT_BLOCK_BYTES = DirectWrites.CHUNK_BYTES;

    private final ErrorHandler onError;
    private final DirectWrites direct; // null: buffered writes

    private FileChannel channel;
    private long length;            // file offset where the data ends (buffered)
    private long written;           // the file holds the right bytes up to here (buffered)
    private long dataStart;         // file offset of the writer's first byte in this file; -1: none yet
    private long knownStart;        // buffered: where the failed call began
    private boolean failedInData;   // the failure was in the writer's bytes, not a header
    private boolean failed;         // an append failed for good: the file's end is not trusted

    /**
     * @param direct O_DIRECT: each file then comes with an O_DIRECT descriptor ({@link OpenFile#directFd})
     * @param report where a file system that refuses preallocation is said, once
     */
    FileAppender(boolean direct, int alignment, ErrorHandler onError, Consumer<String> report) {
        this.onError = onError;
        this.direct = direct ? new DirectWrites(alignment, onError, report) : null;
    }

    boolean direct() {
        return direct != null;
    }

    /** Starts appending to {@code file} (called {@code name}) at {@code offset} (aligned when direct). */
    void start(OpenFile file, String name, long offset) throws IOException {
        this.channel = file.channel();
        if (direct != null) {
            if (!file.direct()) {
                throw new IllegalArgumentException(name + " has no O_DIRECT descriptor");
            }
            direct.start(channel, file.directFd(), name, offset);
        }
        this.length = offset;
        this.written = offset;
        this.dataStart = -1;
        this.knownStart = offset;
        this.failedInData = false;
    }

    /** The file is expected to end at about {@code end} (see {@link DirectWrites#expectEnd}); 0: not known. */
    void expectEnd(long end) {
        if (direct != null) {
            direct.expectEnd(end);
        }
    }

    /** The file offset where the appended bytes end. */
    long length() {
        return direct != null ? direct.length() : length;
    }

    /** The file holds the appended bytes up to this offset (after a failure: how far they got). */
    long written() {
        return direct != null ? direct.written() : written;
    }

    /** Whether an append failed for good (the file's end is not trusted; sticks for good). */
    boolean failed() {
        return failed;
    }

    /**
     * How many of the bytes {@link #appendData} took are not yet known to be in the file (writes
     * in flight, the partial last block): the caller keeps those bytes unchanged meanwhile.
     */
    long bytesInFlight() {
        return dataStart < 0 ? 0 : Math.max(0, length() - known());
    }

    /** The file is known to hold the writer's bytes up to here. */
    private long known() {
        return Math.max(dataStart, direct != null ? direct.durable() : knownStart);
    }

    /** Appends a file header (or trailer: bytes not from the ring); a failure marks the file {@link #failed()}. */
    void appendHeader(ByteBuffer header) throws IOException {
        try {
            append(header);
        } catch (IOException | RuntimeException e) {
            failed = true;
            settleWrites();
            throw e;
        }
    }

    /**
     * Appends the writer's bytes, forced to disk afterwards if {@code force}; a failure marks the
     * file {@link #failed()} and keeps how far it got.
     */
    void appendData(ByteBuffer bytes, boolean force) throws IOException {
        if (dataStart < 0) {
            dataStart = length();
        }
        try {
            append(bytes);
            if (force) {
                if (direct != null) {
                    direct.flush(); // the partial last block too
                }
                channel.force(false);
            }
        } catch (IOException | RuntimeException e) {
            failedInData();
            throw e;
        }
    }

    private void failedInData() {
        failed = true;
        failedInData = true;
        settleWrites();
    }

    /** After a failure: no write is left in flight, so a cut of the file is not overwritten by one landing later. */
    private void settleWrites() {
        if (direct != null) {
            direct.awaitAllQuietly();
        }
    }

    /**
     * Waits for every write and gives the file exactly its data (O_DIRECT: the partial last block
     * padded, then the padding and the preallocated tail cut off); a failure is as in {@link #appendData}.
     */
    void flush() throws IOException {
        if (direct == null || failed) {
            return;
        }
        try {
            direct.flush();
        } catch (IOException | RuntimeException e) {
            if (dataStart >= 0) {
                failedInData();
            } else {
                failed = true;
                settleWrites();
            }
            throw e;
        }
    }

    /** After {@link #appendData} or {@link #flush} threw: how many bytes beyond what was known written reached the file (0 after a header failure). */
    long failedDataProgress() {
        return failedInData ? Math.max(0, written() - known()) : 0;
    }

    /**
     * After {@link #appendData} or {@link #flush} threw: the offset {@code bytes} after what was
     * known written (see {@link Sink#cutBackAfterFailure}), or -1 when the failure was not in the
     * writer's bytes.
     */
    long cutBackPoint(long bytes) {
        return failedInData ? Math.max(0, known() + bytes) : -1;
    }

    private void append(ByteBuffer bytes) throws IOException {
        if (direct != null) {
            direct.append(bytes);
            return;
        }
        knownStart = length;
        long end = length + bytes.remaining();
        long at = length;
        while (true) {
            try {
                while (bytes.hasRemaining()) {
                    at += channel.write(bytes, at);
                }
                written = end;
                length = end;
                knownStart = end;
                return;
            } catch (IOException e) {
                written = Math.max(written, at);
                onError.handle(OutOfSpaceException.recognise(e)); // returns: room was made, go on from 'at'
            }
        }
    }

    /** Waits for the writes in flight and ends their helper threads (after the last append; the file itself is the caller's). */
    void close() {
        if (direct != null) {
            direct.close();
        }
    }

    /**
     * Cuts the file back to {@code size} (after a failure, to a record boundary): it then ends
     * there, and appending is over until the next {@link #start}.
     */
    void cutTo(long size) throws IOException {
        if (direct != null) {
            direct.cutTo(size);
            return;
        }
        channel.truncate(size);
        length = Math.min(length, size);
        written = Math.min(written, size);
    }
}
