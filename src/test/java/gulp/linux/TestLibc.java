package gulp.linux;

import java.lang.invoke.MethodHandle;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C library calls only the test bed and the benchmark sender need (setns, send, sendmmsg), as
 * FFM downcalls made through a {@link Libc} instance (its errno capture), so they stay out of the
 * program. Like Libc's, the handles are created on first use.
 */
public final class TestLibc {
    static final int CLONE_NEWNET = 0x40000000;

    private static final MethodHandle SETNS = Libc.errnoCall("setns", JAVA_INT, JAVA_INT, JAVA_INT);
    private static final MethodHandle SEND = Libc.errnoCall("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final MethodHandle SENDMMSG = Libc.errnoCall("sendmmsg", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);

    private TestLibc() {
    }

    /** Moves the calling thread into the network namespace named by {@code /var/run/netns/NAME}. */
    public static void enterNetworkNamespace(String name) throws NativeException {
        Libc libc = Libc.current();
        int fd = libc.open("/var/run/netns/" + name, Libc.O_RDONLY | Libc.O_CLOEXEC);
        try {
            int rc;
            try {
                rc = (int) SETNS.invokeExact(libc.callState, fd, CLONE_NEWNET);
            } catch (Throwable e) {
                throw Libc.unexpected(e);
            }
            if (rc != 0) {
                throw libc.failure("setns " + name);
            }
        } finally {
            libc.close(fd);
        }
    }

    /** send(2) through {@code libc} (the calling thread's); returns bytes sent or -errno. */
    static long send(Libc libc, int fd, MemorySegment data, long length, int flags) {
        long rc;
        try {
            rc = (long) SEND.invokeExact(libc.callState, fd, data, length, flags);
        } catch (Throwable e) {
            throw Libc.unexpected(e);
        }
        return rc < 0 ? -libc.errno() : rc;
    }

    /** sendmmsg(2) through {@code libc} (the calling thread's); returns messages sent or -errno. */
    static int sendmmsg(Libc libc, int fd, MemorySegment messages, int count, int flags) {
        int rc;
        try {
            rc = (int) SENDMMSG.invokeExact(libc.callState, fd, messages, count, flags);
        } catch (Throwable e) {
            throw Libc.unexpected(e);
        }
        return rc < 0 ? -libc.errno() : rc;
    }
}
