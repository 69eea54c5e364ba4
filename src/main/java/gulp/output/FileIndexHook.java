package gulp.output;

import gulp.ring.ByteRingConsumer;

import java.nio.file.Path;

/**
 * Where an {@code -o} run's index of each file is kept ({@code gulp.extract.LiveIndexer}): told
 * of every file started, every packet record written into it (from the writer's own record walk,
 * after the write succeeded and before the bytes are released, so each header is read once), the
 * end of every write, the writer's idle moments, and every file finished.
 * Implementations must never make the writer wait: bounded work and no allocation per record.
 */
public interface FileIndexHook {
    FileIndexHook NONE = new FileIndexHook() {
        @Override
        public void fileStarted(Path part, Path target, long headerLength) {
        }

        @Override
        public void packet(ByteRingConsumer ring, long position, long offset) {
        }

        @Override
        public void written(ByteRingConsumer ring, long end) {
        }

        @Override
        public void fileEnded(long length) {
        }

        @Override
        public void fileFinished(Path part, Path target) {
        }
    };

    /** Writer thread: a file was created as {@code part} (later {@code target}) and its {@code headerLength}-byte header written. */
    void fileStarted(Path part, Path target, long headerLength);

    /**
     * Writer thread: the packet record at ring {@code position}, {@code offset} bytes after the
     * current file's first record, has started in a write to the file (records in file order, each
     * once). The whole record is readable (published tails are record boundaries) until the
     * {@link #written} call that follows.
     */
    void packet(ByteRingConsumer ring, long position, long offset);

    /** Writer thread: a write to the current file ended at ring position {@code end}, its packets shown; released after the call. */
    void written(ByteRingConsumer ring, long end);

    /**
     * Writer thread: the writer has written everything published and waits for more (called
     * at every wake-up while it waits, every few milliseconds: cheap when there is nothing to do).
     */
    default void idle(long nanoTime) {
    }

    /** Writer thread: the current file was handed to the finisher, {@code length} bytes long. */
    void fileEnded(long length);

    /** Finisher thread: {@code part} was renamed to {@code target}; the index follows it. */
    void fileFinished(Path part, Path target);

    /**
     * The run's end, normally after the last {@link #fileFinished} (not when the sink's last
     * hand-over failed: the finisher may still finish files, and their {@code fileFinished} comes
     * after this): no index of a finished file is left as {@code .NAME.idx.part}.
     */
    default void close() {
    }

    /**
     * The most bytes the index of a file of {@code fileBytes} can take on disk, for retention
     * ({@code --min-free} leaves room for it, {@code --max-total} counts it for the file being
     * written and for a finished file whose index is not beside it yet). Any thread.
     */
    default long indexBytesBound(long fileBytes) {
        return 0;
    }
}
