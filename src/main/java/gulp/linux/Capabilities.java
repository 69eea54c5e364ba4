package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.StringJoiner;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Linux capabilities of the calling thread (capget/capset, layouts in {@link CapabilityData}),
 * and what gulp needs of them. Measured on Linux 6.x as an unprivileged user started with only the
 * capabilities named (setpriv --ambient-caps):
 * <ul>
 * <li>{@link #CAP_NET_RAW} alone captures: the packet socket, its ring, the filter, binding and
 *     promiscuous mode (a packet-socket membership, which needs no CAP_NET_ADMIN), and the stop
 *     path (reject-all filter and rebind on the open socket);</li>
 * <li>{@link #CAP_IPC_LOCK} (optional): locking the ring in memory beyond RLIMIT_MEMLOCK;</li>
 * <li>{@link #CAP_SYS_NICE} (optional): the reader's raised priority (nice -10) and {@code --fifo}.</li>
 * </ul>
 */
public final class Capabilities {
    public static final int CAP_SETGID = 6;
    public static final int CAP_SETUID = 7;
    public static final int CAP_NET_ADMIN = 12;
    public static final int CAP_NET_RAW = 13;
    public static final int CAP_IPC_LOCK = 14;
    public static final int CAP_SYS_NICE = 23;

    /** The permission error of a packet socket: what capture needs, and what the optional ones add. */
    public static final String CAPTURE_NEEDS = "capture needs CAP_NET_RAW (run as root, or grant it, e.g. systemd's"
            + " AmbientCapabilities=CAP_NET_RAW); optional: CAP_IPC_LOCK locks the ring in memory beyond"
            + " RLIMIT_MEMLOCK, CAP_SYS_NICE raises the reader's priority (--fifo)";

    private static final class Calls {
        static final MethodHandle CAPGET = Libc.errnoCall("capget", JAVA_INT, ADDRESS, ADDRESS);
        static final MethodHandle CAPSET = Libc.errnoCall("capset", JAVA_INT, ADDRESS, ADDRESS);
    }

    /** The three sets of a thread, one bit per capability. */
    public record Sets(long effective, long permitted, long inheritable) {
        public boolean hasEffective(int capability) {
            return (effective & bit(capability)) != 0;
        }
    }

    private Capabilities() {
    }

    public static long bit(int capability) {
        return 1L << capability;
    }

    /** The calling thread's capabilities. */
    public static Sets ofThisThread() throws NativeException {
        Libc libc = Libc.current();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = header(arena);
            MemorySegment data = arena.allocate(CapabilityData.DATA, CapabilityData.DATA_COUNT);
            call(libc, Calls.CAPGET, header, data, "capget");
            return new Sets(joined(data, CapabilityData.EFFECTIVE_OFFSET), joined(data, CapabilityData.PERMITTED_OFFSET),
                    joined(data, CapabilityData.INHERITABLE_OFFSET));
        }
    }

    /** Sets the calling thread's capabilities (only this thread's: capabilities are per thread). */
    public static void setThisThread(Sets sets) throws NativeException {
        Libc libc = Libc.current();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = header(arena);
            MemorySegment data = arena.allocate(CapabilityData.DATA, CapabilityData.DATA_COUNT);
            split(data, CapabilityData.EFFECTIVE_OFFSET, sets.effective());
            split(data, CapabilityData.PERMITTED_OFFSET, sets.permitted());
            split(data, CapabilityData.INHERITABLE_OFFSET, sets.inheritable());
            call(libc, Calls.CAPSET, header, data, "capset");
        }
    }

    /** "CAP_SYS_NICE", ... for the capabilities gulp names; "none" for an empty set. */
    public static String names(long set) {
        StringJoiner names = new StringJoiner(", ");
        int[] known = {CAP_SETGID, CAP_SETUID, CAP_NET_ADMIN, CAP_NET_RAW, CAP_IPC_LOCK, CAP_SYS_NICE};
        String[] text = {"CAP_SETGID", "CAP_SETUID", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_SYS_NICE"};
        long rest = set;
        for (int i = 0; i < known.length; i++) {
            if ((set & bit(known[i])) != 0) {
                names.add(text[i]);
                rest &= ~bit(known[i]);
            }
        }
        for (int cap = 0; cap < 64; cap++) {
            if ((rest & bit(cap)) != 0) {
                names.add("capability " + cap);
            }
        }
        return names.length() == 0 ? "none" : names.toString();
    }

    private static MemorySegment header(Arena arena) {
        MemorySegment header = arena.allocate(CapabilityData.HEADER);
        header.set(JAVA_INT, CapabilityData.HEADER_VERSION_OFFSET, CapabilityData.VERSION_3);
        header.set(JAVA_INT, CapabilityData.HEADER_PID_OFFSET, 0);
        return header;
    }

    private static void call(Libc libc, MethodHandle handle, MemorySegment header, MemorySegment data, String name)
            throws NativeException {
        int rc;
        try {
            rc = (int) handle.invokeExact(libc.callState, header, data);
        } catch (Throwable e) {
            throw Libc.unexpected(e);
        }
        if (rc != 0) {
            throw libc.failure(name);
        }
    }

    private static long joined(MemorySegment data, int offset) {
        long low = Integer.toUnsignedLong(data.get(JAVA_INT, offset));
        long high = Integer.toUnsignedLong(data.get(JAVA_INT, CapabilityData.DATA_SIZE + offset));
        return low | high << 32;
    }

    private static void split(MemorySegment data, int offset, long set) {
        data.set(JAVA_INT, offset, (int) set);
        data.set(JAVA_INT, CapabilityData.DATA_SIZE + offset, (int) (set >>> 32));
    }
}
