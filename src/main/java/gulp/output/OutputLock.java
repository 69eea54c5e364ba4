package gulp.output;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * {@code -x} / {@code -X}: the lock of one capture source writing into one output directory, a
 * lock file {@code DIR/.gulp-SOURCE.lock}. Every run holds it shared; {@code -x} holds it
 * exclusively, so an {@code -x} run and any other run on the same source and directory exclude
 * each other (the original locked its own executable instead, whatever it captured). {@code -X}
 * runs without the lock. Released by the kernel when the process ends, however it ends.
 *
 * <p>The lock file is private (mode 0600: nobody else can open it, so nobody else can hold a lock
 * on it and block {@code -x}), created without following a planted symbolic link, and an existing
 * one is used only if it is a regular file of gulp's user (see {@link SafeFiles}); otherwise the
 * run stops with the reason, unless {@code -X}.
 */
public final class OutputLock implements AutoCloseable {
    private static final int PRIVATE_MODE = 0600;
    private final FileChannel channel;

    private OutputLock(FileChannel channel) {
        this.channel = channel;
    }

    /** The lock file's name for a source (the interface captured, "stdin", or "read" for files). */
    public static String lockFileName(String source) {
        return ".gulp-" + source.replaceAll("[^A-Za-z0-9._-]", "_") + ".lock";
    }

    /**
     * @param ignore {@code -X}: take no lock (a warning if another run holds it)
     * @throws OutputException on a conflict, naming the lock file
     */
    public static OutputLock acquire(Path directory, String source, boolean exclusive, boolean ignore,
                                     Consumer<String> report) throws OutputException {
        Path file = directory.resolve(lockFileName(source));
        FileChannel channel;
        try {
            channel = SafeFiles.openOrCreate(file, PRIVATE_MODE, report);
        } catch (IOException e) {
            if (ignore) {
                return new OutputLock(null);
            }
            throw new OutputException("cannot open the lock file " + file + ": " + SafeFiles.reason(e)
                    + " (-X runs without it)");
        }
        try {
            FileLock lock = channel.tryLock(0, Long.MAX_VALUE, !exclusive);
            if (lock != null) {
                return new OutputLock(channel);
            }
        } catch (IOException | OverlappingFileLockException e) {
            // Treated as a conflict below.
        }
        if (ignore) {
            report.accept("warning: another gulp holds " + file + "; -X: running anyway, without the lock");
            closeQuietly(channel);
            return new OutputLock(null);
        }
        closeQuietly(channel);
        throw new OutputException("another gulp is writing " + source + " into " + directory
                + (exclusive ? "" : " with -x") + " (lock " + file + "); -X overrides");
    }

    @Override
    public void close() {
        if (channel != null) {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing left to release.
        }
    }
}
