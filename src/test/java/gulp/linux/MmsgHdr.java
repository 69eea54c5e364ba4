package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct mmsghdr} (64 bytes: a {@code struct msghdr} and the sent length) and
 * {@code struct iovec} (16 bytes), for sendmmsg(2) in the test and benchmark sender.
 * <pre>
 *  mmsghdr: 0          8             12    16        24           32            40               48          52    56        60    64
 *           | msg_name | msg_namelen | pad | msg_iov | msg_iovlen | msg_control | msg_controllen | msg_flags | pad | msg_len | pad |
 *  iovec:   0          8         16
 *           | iov_base | iov_len |
 * </pre>
 */
public final class MmsgHdr {
    public static final int NAME_OFFSET = 0;
    public static final int NAMELEN_OFFSET = 8;
    public static final int IOV_OFFSET = 16;
    public static final int IOVLEN_OFFSET = 24;
    public static final int CONTROL_OFFSET = 32;
    public static final int CONTROLLEN_OFFSET = 40;
    public static final int FLAGS_OFFSET = 48;
    public static final int MSG_LEN_OFFSET = 56;
    public static final int SIZE = 64;
    public static final int IOVEC_BASE_OFFSET = 0;
    public static final int IOVEC_LEN_OFFSET = 8;
    public static final int IOVEC_SIZE = 16;

    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"), JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"), JAVA_LONG.withName("msg_iovlen"), ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"), JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4))
            .withName("msghdr");
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            MSGHDR.withName("msg_hdr"), JAVA_INT.withName("msg_len"), MemoryLayout.paddingLayout(4)).withName("mmsghdr");
    static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"), JAVA_LONG.withName("iov_len")).withName("iovec");

    static {
        LayoutCheck.offset(MSGHDR, "msg_name", NAME_OFFSET);
        LayoutCheck.offset(MSGHDR, "msg_namelen", NAMELEN_OFFSET);
        LayoutCheck.offset(MSGHDR, "msg_iov", IOV_OFFSET);
        LayoutCheck.offset(MSGHDR, "msg_iovlen", IOVLEN_OFFSET);
        LayoutCheck.offset(MSGHDR, "msg_control", CONTROL_OFFSET);
        LayoutCheck.offset(MSGHDR, "msg_controllen", CONTROLLEN_OFFSET);
        LayoutCheck.offset(MSGHDR, "msg_flags", FLAGS_OFFSET);
        LayoutCheck.offset(LAYOUT, "msg_len", MSG_LEN_OFFSET);
        LayoutCheck.size(LAYOUT, SIZE);
        LayoutCheck.offset(IOVEC, "iov_base", IOVEC_BASE_OFFSET);
        LayoutCheck.offset(IOVEC, "iov_len", IOVEC_LEN_OFFSET);
        LayoutCheck.size(IOVEC, IOVEC_SIZE);
    }

    private MmsgHdr() {
    }

    /**
     * A vector of {@code count} messages, message i sending {@code length} bytes at
     * {@code frames + i * stride} (the socket is bound, so no address is needed).
     */
    public static MemorySegment vector(Arena arena, MemorySegment frames, long stride, int length, int count) {
        MemorySegment messages = arena.allocate((long) SIZE * count, 8);
        MemorySegment iovecs = arena.allocate((long) IOVEC_SIZE * count, 8);
        for (int i = 0; i < count; i++) {
            MemorySegment iovec = iovecs.asSlice((long) i * IOVEC_SIZE, IOVEC_SIZE);
            iovec.set(ADDRESS, IOVEC_BASE_OFFSET, frames.asSlice(i * stride, length));
            iovec.set(JAVA_LONG, IOVEC_LEN_OFFSET, length);
            long at = (long) i * SIZE;
            messages.set(ADDRESS, at + IOV_OFFSET, iovec);
            messages.set(JAVA_LONG, at + IOVLEN_OFFSET, 1);
        }
        return messages;
    }
}
