package gulp.linux;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the number of a descriptor this process has open, from {@code /proc/self/fd}: the JDK
 * does not tell which descriptor a {@code FileChannel} uses, and O_DIRECT output needs it for
 * {@link Libc#pwritev} and {@link Libc#fallocate}. Once per output file, never per write.
 */
public final class OpenDescriptors {
    private static final Path FDS = Path.of("/proc/self/fd");

    private OpenDescriptors() {
    }

    /**
     * The descriptor open with O_DIRECT on the file {@code file} names (same device and inode), or
     * -1 when there is none or {@code /proc} cannot tell.
     */
    public static int directDescriptorOf(Path file) {
        try {
            Object dev = Files.getAttribute(file, "unix:dev");
            Object ino = Files.getAttribute(file, "unix:ino");
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
                for (Path entry : fds) {
                    int fd;
                    try {
                        fd = Integer.parseInt(entry.getFileName().toString());
                        if (!ino.equals(Files.getAttribute(entry, "unix:ino")) || !dev.equals(Files.getAttribute(entry, "unix:dev"))) {
                            continue;
                        }
                    } catch (NumberFormatException | IOException | UnsupportedOperationException e) {
                        continue; // closed meanwhile, or not a file
                    }
                    if ((flags(fd) & Libc.O_DIRECT) != 0) {
                        return fd;
                    }
                }
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return -1;
        }
        return -1;
    }

    /** The "flags:" line of {@code /proc/self/fdinfo/FD} (octal), or 0. */
    private static int flags(int fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                if (line.startsWith("flags:")) {
                    return Integer.parseInt(line.substring("flags:".length()).trim(), 8);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // closed meanwhile
        }
        return 0;
    }
}
