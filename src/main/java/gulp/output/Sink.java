package gulp.output;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where the writer thread puts the bytes it drains from the ring. Every output file a sink opens
 * starts with the file header it was given; the writer calls {@link #rotate()} only at record
 * boundaries, so every file ends on a complete record. Called from the writer thread only.
 */
public interface Sink extends AutoCloseable {
    /**
     * The writer is about to write the first bytes of a file (the run's first, or the first after
     * {@link #rotate()}); {@code nameTimeNanos} (nanoseconds since the epoch) is the time its name
     * shows. Ignored by sinks with one output.
     */
    default void startFile(long nameTimeNanos) throws IOException {
    }

    /** Writes all remaining bytes of {@code bytes} (a slice of the ring). */
    void write(ByteBuffer bytes) throws IOException;

    /**
     * How many of the bytes of earlier {@link #write} calls (their last ones) the output does not
     * yet hold: O_DIRECT writes still in flight read them from where they are, so the writer
     * releases ring bytes only behind these; {@link #flush} brings it to 0. After a failed
     * {@link #write} or {@link #flush} the failure's progress ({@link #failedWriteProgress}) and cut
     * back ({@link #cutBackAfterFailure}) count from where these bytes begin. 0 for outputs that
     * write before {@link #write} returns.
     */
    default long bytesInFlight() {
        return 0;
    }

    /** Finishes the current file and starts the next one (ignored by sinks with one output). */
    default void rotate() throws IOException {
    }

    /** Pushes buffered bytes to the operating system and waits for writes in flight (the writer goes idle, before a rotation, at the end). */
    default void flush() throws IOException {
    }

    /**
     * How many times writing stalled because the output had no space (the writer then waited and
     * the ring filled: a live capture may have dropped packets meanwhile). 0 for sinks that fail
     * at once instead.
     */
    default int noSpaceEpisodes() {
        return 0;
    }

    /**
     * True while writing is stalled for want of space (a {@link #noSpaceEpisodes} episode): the
     * reader counts what it loses meanwhile as the stall's. Any thread (a volatile read).
     */
    default boolean stalled() {
        return false;
    }

    /**
     * After {@link #write} or {@link #flush} threw: how many bytes reached the output (a prefix)
     * beyond the {@link #bytesInFlight} it then reports (with nothing in flight: of the failed call's
     * bytes; 0 when unknown).
     */
    default long failedWriteProgress() {
        return 0;
    }

    /**
     * After {@link #write} or {@link #flush} threw: makes the output end {@code bytes} after where
     * the bytes it reports in flight begin (the failed call's, when none are; {@code bytes} may be negative, back into the file's earlier writes, but never before
     * the file's first record), so that it ends on the last complete record. Returns false when
     * the output cannot be cut back (a pipe, a terminal); it then ends where the failed write
     * stopped.
     */
    default boolean cutBackAfterFailure(long bytes) throws IOException {
        return false;
    }

    /** Finishes the last file. */
    @Override
    void close() throws IOException;

    /**
     * The write size the writer should use when the user gave no {@code -z} ({@code byDefault}):
     * O_DIRECT output wants larger writes than the page cache (see {@link FileAppender#DIRECT_BLOCK_BYTES}).
     */
    default int preferredBlockSize(int byDefault) {
        return byDefault;
    }

    /**
     * The writer's write size into {@code sink}: {@code -z} when the user gave it, else what the
     * sink prefers; one rule for every kind of run ({@code -c} as well as packets).
     */
    static int writeSize(Sink sink, int requested, boolean givenByUser) {
        return givenByUser ? requested : sink.preferredBlockSize(requested);
    }

    /** For the start-up line. */
    String describe();
}
