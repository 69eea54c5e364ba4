package gulp.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct iovec} (uio.h), one buffer of a gathering write ({@link Libc#pwritev}); 64-bit:
 * <pre>
 *  0               8               16
 *  | iov_base      | iov_len       |
 * </pre>
 */
public final class IoVec {
    public static final int BASE_OFFSET = 0;
    public static final int LEN_OFFSET = 8;
    public static final int SIZE = 16;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_LONG.withName("iov_base"), JAVA_LONG.withName("iov_len")).withName("iovec");

    static {
        LayoutCheck.offset(LAYOUT, "iov_base", BASE_OFFSET);
        LayoutCheck.offset(LAYOUT, "iov_len", LEN_OFFSET);
        LayoutCheck.size(LAYOUT, SIZE);
    }

    private IoVec() {
    }

    /** Sets entry {@code i} of the array {@code iov} to {@code length} bytes at {@code address}. */
    public static void set(MemorySegment iov, int i, long address, long length) {
        iov.set(JAVA_LONG, (long) i * SIZE + BASE_OFFSET, address);
        iov.set(JAVA_LONG, (long) i * SIZE + LEN_OFFSET, length);
    }
}
