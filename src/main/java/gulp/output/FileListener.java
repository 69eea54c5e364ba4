package gulp.output;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Told when an {@code -o} file is complete and when it is durable, for outputs whose input must know
 * (kafka-consume commits its offsets between the two halves of finishing a file). Optional: see
 * {@link RotatingFileSink#setFileListener}.
 */
public interface FileListener {
    /** Writer thread: the file to be named {@code target} got its last record and goes to the finisher. */
    void handedOver(Path target);

    /**
     * Finisher thread, in file order: {@code target}'s data is forced to disk, and it is still
     * {@code .NAME.part}; it is renamed once this returns. Throwing leaves it unrenamed and fails the run.
     */
    void forced(Path target) throws IOException;
}
