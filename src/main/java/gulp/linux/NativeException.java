package gulp.linux;

/** A failed system call: the call's name, errno and the C library's text for it. */
public final class NativeException extends Exception {
    private final int errno;

    public NativeException(String call, int errno, String detail) {
        super(call + ": " + detail, null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
