package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * {@code struct passwd} (48 bytes on x86-64), filled by getpwnam_r(3): a user's ids from the
 * system's user database (files, LDAP, ... through NSS), for {@code --user}.
 * <pre>
 *  0          8            16       20       24          32        40          48
 *  | pw_name* | pw_passwd* | pw_uid | pw_gid | pw_gecos* | pw_dir* | pw_shell* |
 * </pre>
 */
public final class Passwd {
    public static final int NAME_OFFSET = 0;
    public static final int UID_OFFSET = 16;
    public static final int GID_OFFSET = 20;
    public static final int DIR_OFFSET = 32;
    public static final int SIZE = 48;
    private static final int STRINGS_BUFFER = 16 << 10;
    private static final int ERANGE = 34;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(ADDRESS.withName("pw_name"), ADDRESS.withName("pw_passwd"),
            JAVA_INT.withName("pw_uid"), JAVA_INT.withName("pw_gid"), ADDRESS.withName("pw_gecos"),
            ADDRESS.withName("pw_dir"), ADDRESS.withName("pw_shell")).withName("passwd");

    static {
        LayoutCheck.offset(LAYOUT, "pw_name", NAME_OFFSET);
        LayoutCheck.offset(LAYOUT, "pw_uid", UID_OFFSET);
        LayoutCheck.offset(LAYOUT, "pw_gid", GID_OFFSET);
        LayoutCheck.offset(LAYOUT, "pw_dir", DIR_OFFSET);
        LayoutCheck.size(LAYOUT, SIZE);
    }

    private static final class Calls {
        static final MethodHandle GETPWNAM_R = Libc.errnoCall("getpwnam_r", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG,
                ADDRESS);
    }

    /** A user: name, user id, primary group id, home directory. */
    public record User(String name, int uid, int gid, String home) {
    }

    private Passwd() {
    }

    /**
     * The user called {@code name}, or null if there is none.
     *
     * @throws NativeException when the user database cannot be read
     */
    public static User lookup(String name) throws NativeException {
        Libc libc = Libc.current();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment entry = arena.allocate(LAYOUT);
            MemorySegment result = arena.allocate(ADDRESS);
            for (long size = STRINGS_BUFFER; ; size *= 4) {
                MemorySegment strings = arena.allocate(size);
                int rc;
                try {
                    rc = (int) Calls.GETPWNAM_R.invokeExact(libc.callState, arena.allocateFrom(name), entry, strings, size,
                            result);
                } catch (Throwable e) {
                    throw Libc.unexpected(e);
                }
                if (rc == ERANGE && size < (16L << 20)) {
                    continue;
                }
                if (rc != 0) {
                    throw new NativeException("getpwnam_r", rc, Libc.strerror(rc));
                }
                if (result.get(ADDRESS, 0).equals(MemorySegment.NULL)) {
                    return null;
                }
                MemorySegment dir = entry.get(ADDRESS, DIR_OFFSET);
                return new User(name, entry.get(JAVA_INT, UID_OFFSET), entry.get(JAVA_INT, GID_OFFSET),
                        dir.equals(MemorySegment.NULL) ? "/" : dir.reinterpret(4096).getString(0));
            }
        }
    }
}
