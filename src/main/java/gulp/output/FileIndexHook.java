package gulp.output;

import gulp.ring.ByteRing;

import java.nio.file.Path;

/**
 * Where an {@code -o} run's index of each file is kept ({@code gulp.extract.LiveIndexer}): told
 * of every file started, every record going into it (by the writer, as it writes the record,
 * while the whole record is still in the ring; a write that fails later leaves the index longer
 * than its file, which an extraction detects) and every file finished. Implementations must never make the writer wait.
 */
public interface FileIndexHook {
    FileIndexHook NONE = new FileIndexHook() {
        @Override
        public void fileStarted(Path part, Path target, long headerLength) {
        }

        @Override
        public void record(ByteRing.Consumer ring, long position, long recordsOffset, long timestampNanos, long dataOffset,
                           int caplen) {
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
     * Writer thread: the record at ring {@code position}, {@code recordsOffset} bytes after the
     * current file's header, stamped {@code timestampNanos}, its packet data {@code dataOffset}
     * bytes into it and {@code caplen} long.
     */
    void record(ByteRing.Consumer ring, long position, long recordsOffset, long timestampNanos, long dataOffset, int caplen);

    /** Writer thread: the current file was handed to the finisher, {@code length} bytes long. */
    void fileEnded(long length);

    /** Finisher thread: {@code part} was renamed to {@code target}; the index follows it. */
    void fileFinished(Path part, Path target);
}
