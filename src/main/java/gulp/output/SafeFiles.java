package gulp.output;

import gulp.linux.Libc;
import gulp.linux.NativeException;
import gulp.linux.Statx;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Opening files in an output directory that other users may be able to write, as careful daemons
 * do. Gulp often runs as root; another user who can write DIR can plant symbolic links, hard links,
 * FIFOs or files of their own under the names gulp uses, and swap them between two calls by path.
 * So:
 * <ul>
 * <li>a new file is created with {@code O_CREAT|O_EXCL|O_NOFOLLOW}, owner-only (0600), then given its
 *     final mode with {@code fchmod} on the descriptor, never by path;</li>
 * <li>an existing file is opened with {@code O_NOFOLLOW|O_NONBLOCK} and checked with {@code fstat}
 *     on that descriptor before anything touches it: a regular file, owned by gulp's user, with one
 *     link;</li>
 * <li>the {@link FileChannel} gulp then uses (and an O_DIRECT descriptor, {@link #create}) is
 *     opened through {@code /proc/self/fd/N}, so it is the very file created or checked, whatever
 *     the name points to meanwhile. The first descriptor is closed before a method returns:
 *     closing any descriptor of a file drops the process's POSIX record locks on it, so callers
 *     lock the returned channel, never earlier, and close the two together.</li>
 * </ul>
 */
final class SafeFiles {
    private static final int CREATE_FLAGS = Libc.O_RDWR | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_CLOEXEC;
    private static final int OPEN_FLAGS = Libc.O_RDWR | Libc.O_NOFOLLOW | Libc.O_NONBLOCK | Libc.O_NOCTTY | Libc.O_CLOEXEC;

    /** A name in the directory that gulp will not touch: a symbolic link, another user's file, ... */
    static final class NotOursException extends FileSystemException {
        NotOursException(Path file, String reason) {
            super(file.toString(), null, reason);
        }
    }

    private SafeFiles() {
    }

    /**
     * Creates {@code file}, which must not exist (not even as a dangling symbolic link), with
     * exactly {@code mode}; opened for reading and writing, plus {@code extra} (e.g. O_DIRECT).
     *
     * @param report a warning when the file system cannot take the mode
     */
    static FileChannel createNew(Path file, int mode, Consumer<String> report, OpenOption... extra) throws IOException {
        return create(file, mode, report, false, extra).channel();
    }

    /**
     * {@link #createNew}, and with {@code direct} also an O_DIRECT descriptor of the file (the
     * channel is then opened without O_DIRECT: its size, truncation, sync and lock need none).
     */
    static OpenFile create(Path file, int mode, Consumer<String> report, boolean direct, OpenOption... extra) throws IOException {
        Libc libc = Libc.current();
        int fd = open(libc, file, CREATE_FLAGS, 0600);
        try {
            OpenFile opened;
            try {
                FileChannel channel = reopen(fd, file, extra);
                try {
                    opened = direct ? new OpenFile(channel, OpenFile.openDirect(Path.of("/proc/self/fd/" + fd), Libc.O_RDWR, file))
                            : OpenFile.buffered(channel);
                } catch (IOException | RuntimeException e) {
                    channel.close();
                    throw e;
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(file); // ours, just created (or, if swapped meanwhile, a planted name)
                throw e;
            }
            try {
                libc.fchmod(fd, mode); // exactly, whatever the umask took away
            } catch (NativeException e) {
                report.accept("warning: cannot set mode " + Integer.toOctalString(mode) + " on " + file + ": "
                        + Libc.strerror(e.errno()));
            }
            try {
                FileOwner.claim(fd, Libc.geteuid()); // --user: created as root, for that user
            } catch (NativeException e) {
                opened.close();
                Files.deleteIfExists(file);
                throw new FileSystemException(file.toString(), null, "cannot give it to the --user user: "
                        + Libc.strerror(e.errno()));
            }
            return opened;
        } finally {
            closeQuietly(libc, fd);
        }
    }

    /**
     * Opens an existing file for reading and writing after checking it is a regular file of gulp's
     * user with one link; with {@code mode >= 0} gives it that mode if it has another.
     *
     * @throws NotOursException when it is not such a file (the reason in {@link FileSystemException#getReason()})
     */
    static FileChannel openOurs(Path file, int mode) throws IOException {
        Libc libc = Libc.current();
        int fd = open(libc, file, OPEN_FLAGS, 0);
        try {
            Statx.FileStatus status;
            try {
                status = libc.fstat(fd);
            } catch (NativeException e) {
                throw new FileSystemException(file.toString(), null, Libc.strerror(e.errno()));
            }
            String problem = problemWith(status);
            if (problem != null) {
                throw new NotOursException(file, problem);
            }
            try {
                FileOwner.claim(fd, status.uid());
            } catch (NativeException e) {
                throw new FileSystemException(file.toString(), null, "cannot give it to the --user user: "
                        + Libc.strerror(e.errno()));
            }
            if (mode >= 0 && status.permissions() != mode) {
                try {
                    libc.fchmod(fd, mode);
                } catch (NativeException e) {
                    throw new FileSystemException(file.toString(), null, "cannot set mode " + Integer.toOctalString(mode)
                            + ": " + Libc.strerror(e.errno()));
                }
            }
            return reopen(fd, file);
        } finally {
            closeQuietly(libc, fd);
        }
    }

    /** Opens {@code file} if it is ours (see {@link #openOurs}), else creates it with {@code mode}. */
    static FileChannel openOrCreate(Path file, int mode, Consumer<String> report) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                return createNew(file, mode, report);
            } catch (FileAlreadyExistsException e) {
                try {
                    return openOurs(file, mode);
                } catch (NoSuchFileException gone) {
                    if (attempt == 3) {
                        throw gone; // Someone keeps creating and removing it.
                    }
                }
            }
        }
    }

    /** Why a file of this status is not gulp's to touch, or null. */
    private static String problemWith(Statx.FileStatus status) {
        int uid = FileOwner.uid();
        if (!status.isRegularFile()) {
            return "not a regular file";
        }
        if (!FileOwner.isOurs(status.uid())) {
            return "owned by uid " + Integer.toUnsignedString(status.uid()) + ", not by gulp's user (uid "
                    + Integer.toUnsignedString(uid) + ")";
        }
        if (status.links() != 1) {
            return "a file with " + status.links() + " hard links";
        }
        return null;
    }

    /**
     * One line when {@code directory} is writable by users other than gulp's and has no sticky bit:
     * they can then rename, replace or delete the files gulp writes there.
     */
    static void warnIfOthersCanWrite(Path directory, Consumer<String> report) {
        Statx.FileStatus status;
        try {
            status = Libc.current().stat(directory.toString());
        } catch (NativeException e) {
            return; // The checks that follow report a directory that cannot be used.
        }
        int permissions = status.permissions();
        boolean othersWrite = (permissions & Statx.S_IWOTH) != 0
                || ((permissions & Statx.S_IWGRP) != 0 && status.gid() != Libc.getegid());
        if (othersWrite && (permissions & Statx.S_ISVTX) == 0) {
            report.accept("warning: the output directory " + directory + " (mode " + Integer.toOctalString(permissions)
                    + ") can be written by other users and has no sticky bit: they can rename, replace or delete"
                    + " the capture files (use a private directory, or chmod +t)");
        }
    }

    /** The reason of a failed open without the path repeated: "Permission denied", "a symbolic link, ...". */
    static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return String.valueOf(e.getMessage());
    }

    private static int open(Libc libc, Path file, int flags, int mode) throws IOException {
        try {
            return libc.open(file.toString(), flags, mode);
        } catch (NativeException e) {
            String text = Libc.strerror(e.errno());
            String name = file.toString();
            throw switch (e.errno()) {
                case Libc.EEXIST -> new FileAlreadyExistsException(name, null, text);
                case Libc.ENOENT -> new NoSuchFileException(name, null, text);
                case Libc.EACCES, Libc.EPERM -> new AccessDeniedException(name, null, text);
                case Libc.ELOOP -> new NotOursException(file, "a symbolic link (not followed)");
                case Libc.ENOSPC, Libc.EDQUOT -> new OutOfSpaceException(name, text);
                default -> new FileSystemException(name, null, text);
            };
        }
    }

    /**
     * A channel on the file open as {@code fd} (the same file, whatever its name points to now);
     * errors name {@code file}, not the descriptor.
     */
    private static FileChannel reopen(int fd, Path file, OpenOption... extra) throws IOException {
        List<OpenOption> options = new ArrayList<>(List.of(StandardOpenOption.READ, StandardOpenOption.WRITE));
        options.addAll(List.of(extra));
        Path self = Path.of("/proc/self/fd/" + fd);
        try {
            return FileChannel.open(self, options.toArray(OpenOption[]::new));
        } catch (NoSuchFileException e) {
            throw new FileSystemException(file.toString(), null, "cannot reopen it through " + self + " (is /proc mounted?)");
        } catch (FileSystemException e) {
            throw new FileSystemException(file.toString(), null, e.getReason() != null ? e.getReason() : e.getMessage());
        }
    }

    private static void closeQuietly(Libc libc, int fd) {
        try {
            libc.close(fd);
        } catch (NativeException ignored) {
            // Nothing was written through it.
        }
    }
}
