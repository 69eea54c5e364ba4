package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The datagram socket sd_notify(3) writes to, without libsystemd: an AF_UNIX SOCK_DGRAM socket
 * connected to {@code $NOTIFY_SOCKET} (a path, or {@code @name} for an abstract name), one
 * datagram per message ({@code READY=1}, {@code STATUS=...}, {@code WATCHDOG=1}, ...).
 *
 * <p>Connected once, at start: the kernel checks the permission to write to a named socket when
 * connecting, so messages still arrive after gulp has dropped to another user ({@code --user}).
 */
public final class NotifySocket implements AutoCloseable {
    private static final int SOCK_DGRAM = 2;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MAX_MESSAGE = 4096;

    private static final class Calls {
        static final MethodHandle CONNECT = Libc.errnoCall("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
        static final MethodHandle SEND = Libc.errnoCall("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    }

    private final int fd;
    private final String name;
    private final MemorySegment buffer = Arena.ofAuto().allocate(MAX_MESSAGE);

    private NotifySocket(int fd, String name) {
        this.fd = fd;
        this.name = name;
    }

    /**
     * Opens a socket connected to {@code name}.
     *
     * @throws NativeException when it cannot be opened or connected (no such socket, no permission)
     * @throws IllegalArgumentException when {@code name} is not a socket name
     */
    public static NotifySocket connect(String name) throws NativeException {
        Libc libc = Libc.current();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = SockaddrUn.allocate(arena, name);
            int fd = libc.socket(SockaddrUn.AF_UNIX, SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            int rc;
            try {
                rc = (int) Calls.CONNECT.invokeExact(libc.callState, fd, address, (int) address.byteSize());
            } catch (Throwable e) {
                throw Libc.unexpected(e);
            }
            if (rc != 0) {
                NativeException failure = libc.failure("connect");
                libc.close(fd);
                throw failure;
            }
            return new NotifySocket(fd, name);
        }
    }

    public String name() {
        return name;
    }

    /** Sends {@code message} (UTF-8, at most 4096 bytes; longer is cut) as one datagram. */
    public void send(String message) throws NativeException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, MAX_MESSAGE);
        MemorySegment.copy(bytes, 0, buffer, JAVA_BYTE, 0, length);
        Libc libc = Libc.current();
        long sent;
        try {
            sent = (long) Calls.SEND.invokeExact(libc.callState, fd, buffer, (long) length, MSG_NOSIGNAL);
        } catch (Throwable e) {
            throw Libc.unexpected(e);
        }
        if (sent < 0) {
            throw libc.failure("send");
        }
    }

    @Override
    public void close() {
        try {
            Libc.current().close(fd);
        } catch (NativeException ignored) {
            // Nothing left to send.
        }
    }
}
