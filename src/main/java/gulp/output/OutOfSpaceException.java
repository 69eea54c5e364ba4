package gulp.output;

import gulp.linux.Libc;

import java.io.IOException;
import java.nio.file.FileSystemException;

/**
 * The file system has no room for what gulp writes (ENOSPC, or EDQUOT: the user's quota is used
 * up): the one failure the output waits out or makes room for, instead of failing the file.
 */
final class OutOfSpaceException extends FileSystemException {
    /** @param file the file concerned, or null when the message needs none */
    OutOfSpaceException(String file, String reason) {
        super(file, null, reason);
    }

    static boolean isOutOfSpace(int errno) {
        return errno == Libc.ENOSPC || errno == Libc.EDQUOT;
    }

    /**
     * {@code e} as an OutOfSpaceException if it is the JDK's report of ENOSPC or EDQUOT (same
     * message, {@code e} as its cause), else {@code e} itself.
     */
    static IOException recognise(IOException e) {
        if (e instanceof OutOfSpaceException || !isOutOfSpace(Libc.errnoOf(e))) {
            return e;
        }
        OutOfSpaceException typed = e instanceof FileSystemException f
                ? new OutOfSpaceException(f.getFile(), f.getReason())
                : new OutOfSpaceException(null, e.getMessage());
        typed.initCause(e);
        return typed;
    }
}
