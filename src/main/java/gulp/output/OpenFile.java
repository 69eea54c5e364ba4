package gulp.output;

import gulp.linux.Libc;
import gulp.linux.NativeException;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * An output file as gulp holds it while writing: the {@link FileChannel} its size, truncation,
 * sync and lock go through and, for O_DIRECT, the descriptor the writes go through
 * ({@code directFd}, -1 for buffered output). The JDK hides the number of a channel's
 * descriptor, so the O_DIRECT one is gulp's own: {@link #openDirect} opens the file again
 * through {@code /proc/self/fd/N} with {@link Libc#open}. Closing closes both (the process's POSIX
 * record locks on the file go with the first).
 */
record OpenFile(FileChannel channel, int directFd) implements Closeable {
    /** The file without an O_DIRECT descriptor (buffered writes through the channel). */
    static OpenFile buffered(FileChannel channel) {
        return new OpenFile(channel, -1);
    }

    boolean direct() {
        return directFd >= 0;
    }

    /**
     * A new descriptor on the file open as {@code /proc/self/fd/N} ({@code self}), with O_DIRECT
     * and {@code access} ({@link Libc#O_WRONLY} or {@link Libc#O_RDWR}); a failure names
     * {@code file} and carries the C library's reason ({@link Libc#errnoOf} reads EINVAL back: the
     * file system refuses O_DIRECT).
     */
    static int openDirect(Path self, int access, Path file) throws IOException {
        try {
            return Libc.current().open(self.toString(), access | Libc.O_DIRECT | Libc.O_CLOEXEC);
        } catch (NativeException e) {
            throw new FileSystemException(file.toString(), null, Libc.strerror(e.errno()));
        }
    }

    /** Closes an O_DIRECT descriptor of {@link #openDirect} (nothing is buffered in it). */
    static void closeDirect(int fd) {
        if (fd >= 0) {
            try {
                Libc.current().close(fd);
            } catch (NativeException ignored) {
                // An O_DIRECT descriptor holds no buffered bytes: nothing is lost.
            }
        }
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            closeDirect(directFd);
        }
    }
}
