package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Sends raw Ethernet frames out of one interface through an AF_PACKET socket (for tests and the
 * benchmark; the capture path never sends). Bound with protocol 0, so it receives nothing.
 */
public final class PacketSender implements AutoCloseable {
    private final int fd;
    private final Libc libc;
    private long retries;

    private PacketSender(int fd, Libc libc) {
        this.fd = fd;
        this.libc = libc;
    }

    /** Opens a sender on {@code interfaceName} in the calling thread's network namespace. */
    public static PacketSender open(String interfaceName) throws NativeException {
        Libc libc = Libc.current();
        int ifindex = libc.ifNameToIndex(interfaceName);
        if (ifindex == 0) {
            throw new NativeException("if_nametoindex", Libc.ENODEV, "no interface " + interfaceName);
        }
        int fd = libc.socket(Libc.AF_PACKET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, 0);
        try (Arena arena = Arena.ofConfined()) {
            libc.bind(fd, SockaddrLl.allocate(arena, ifindex, 0));
        } catch (NativeException e) {
            libc.close(fd);
            throw e;
        }
        return new PacketSender(fd, libc);
    }

    /**
     * Sends one frame, retrying while the device queue is full (ENOBUFS/EAGAIN) until
     * {@code deadlineNanos} (System.nanoTime). Use on the thread that opened the sender.
     */
    public void send(MemorySegment frame, int length, long deadlineNanos) throws NativeException {
        while (true) {
            long rc = TestLibc.send(libc, fd, frame, length, 0);
            if (rc == length) {
                return;
            }
            int errno = (int) -rc;
            if (rc >= 0 || (errno != Libc.ENOBUFS && errno != Libc.EAGAIN && errno != Libc.EINTR)) {
                throw new NativeException("send", errno, rc >= 0 ? "short send " + rc : Libc.strerror(errno));
            }
            retries++;
            if (System.nanoTime() > deadlineNanos) {
                throw new NativeException("send", errno, "still " + Libc.strerror(errno) + " at the deadline");
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Sends the {@code count} messages of a {@link MmsgHdr#vector} with sendmmsg(2), resuming
     * after partial sends and retrying while the queue is full, until {@code deadlineNanos}.
     */
    public void sendBatch(MemorySegment messages, int count, long deadlineNanos) throws NativeException {
        int done = 0;
        while (done < count) {
            int rc = TestLibc.sendmmsg(libc, fd, messages.asSlice((long) done * MmsgHdr.SIZE), count - done, 0);
            if (rc > 0) {
                done += rc;
                continue;
            }
            int errno = -rc;
            if (rc == 0 || (errno != Libc.ENOBUFS && errno != Libc.EAGAIN && errno != Libc.EINTR)) {
                throw new NativeException("sendmmsg", errno, rc == 0 ? "sent nothing" : Libc.strerror(errno));
            }
            retries++;
            if (System.nanoTime() > deadlineNanos) {
                throw new NativeException("sendmmsg", errno, "still " + Libc.strerror(errno) + " at the deadline");
            }
            Thread.onSpinWait();
        }
    }

    /** How many sends had to be repeated because the queue was full. */
    public long retries() {
        return retries;
    }

    @Override
    public void close() throws NativeException {
        libc.close(fd);
    }
}
