package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct sockaddr_un} (110 bytes): the address of an AF_UNIX socket, here systemd's
 * notification socket ({@code $NOTIFY_SOCKET}).
 * <pre>
 *  0             2                                                    110
 *  | sun_family  | sun_path[108]: a file name ending in NUL, or NUL + an abstract name |
 * </pre>
 * An abstract name (written {@code @name} in {@code $NOTIFY_SOCKET}) starts with a NUL byte and is
 * not NUL-terminated: its length is given by the address length, {@code 2 + 1 + strlen(name)}, as
 * sd_notify(3) passes it.
 */
public final class SockaddrUn {
    public static final int FAMILY_OFFSET = 0;
    public static final int PATH_OFFSET = 2;
    public static final int PATH_SIZE = 108;
    public static final int SIZE = 110;
    public static final int AF_UNIX = 1;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(JAVA_SHORT.withName("sun_family"),
            MemoryLayout.sequenceLayout(PATH_SIZE, JAVA_BYTE).withName("sun_path")).withName("sockaddr_un");

    static {
        LayoutCheck.offset(LAYOUT, "sun_family", FAMILY_OFFSET);
        LayoutCheck.offset(LAYOUT, "sun_path", PATH_OFFSET);
        LayoutCheck.size(LAYOUT, SIZE);
    }

    private SockaddrUn() {
    }

    /**
     * The address of {@code name} ({@code /run/systemd/notify}, or {@code @name} for an abstract
     * one), as long as it needs to be (the segment's size is the address length to pass).
     *
     * @throws IllegalArgumentException for an empty name, a name that does not fit, or neither an
     *                                  absolute path nor {@code @}
     */
    public static MemorySegment allocate(Arena arena, String name) {
        boolean abstractName = name.startsWith("@");
        if (!abstractName && !name.startsWith("/")) {
            throw new IllegalArgumentException("not an absolute path or an @abstract name: " + name);
        }
        byte[] path = (abstractName ? name.substring(1) : name).getBytes(StandardCharsets.UTF_8);
        // An abstract name: a NUL, then the bytes; a path: the bytes, then a NUL.
        int pathLength = path.length + 1;
        if (path.length == 0 || pathLength > PATH_SIZE) {
            throw new IllegalArgumentException("a socket name of " + path.length + " bytes (1 to " + (PATH_SIZE - 1)
                    + " fit): " + name);
        }
        MemorySegment address = arena.allocate(PATH_OFFSET + pathLength, 2);
        address.set(JAVA_SHORT, FAMILY_OFFSET, (short) AF_UNIX);
        MemorySegment.copy(path, 0, address, JAVA_BYTE, PATH_OFFSET + (abstractName ? 1 : 0), path.length);
        return address;
    }
}
