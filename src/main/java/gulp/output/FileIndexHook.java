package gulp.output;

import gulp.ring.ByteRing;

import java.nio.file.Path;

/**
 * Where an {@code -o} run's index of each file is kept ({@code gulp.extract.LiveIndexer}): told
 * of every file started, every span of ring bytes written into it (by the writer, once per write
 * after it succeeded and before the bytes are released: whole spans, never single records) and
 * every file finished.
 * Implementations must never make the writer wait.
 */
public interface FileIndexHook {
    FileIndexHook NONE = new FileIndexHook() {
        @Override
        public void fileStarted(Path part, Path target, long headerLength) {
        }

        @Override
        public void written(ByteRing.Consumer ring, long position, long length) {
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
     * Writer thread: the {@code length} ring bytes at {@code position} were written to the current
     * file right after the previous span; they are released after the call. A span may end inside a
     * record: the whole record is readable (published tails are record boundaries).
     */
    void written(ByteRing.Consumer ring, long position, long length);

    /** Writer thread: the current file was handed to the finisher, {@code length} bytes long. */
    void fileEnded(long length);

    /** Finisher thread: {@code part} was renamed to {@code target}; the index follows it. */
    void fileFinished(Path part, Path target);

    /**
     * The most bytes the index of a file of {@code fileBytes} can take on disk, for retention
     * ({@code --min-free} leaves room for it, {@code --max-total} counts it for the file being
     * written). Any thread.
     */
    default long indexBytesBound(long fileBytes) {
        return 0;
    }
}
