package gulp.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The arguments of capget(2)/capset(2), version 3 (64-bit sets): a header, then two
 * {@code __user_cap_data_struct}s, the first for capabilities 0-31, the second for 32-63.
 * <pre>
 * header (8 bytes):  0          4
 *                    | version  | pid (0 = the calling thread) |
 * data (2 x 12):     0           4           8             12 (+12 for the upper 32 capabilities)
 *                    | effective | permitted | inheritable |
 * </pre>
 * Capabilities are per thread: capset changes only the calling thread's sets.
 */
public final class CapabilityData {
    public static final int VERSION_3 = 0x20080522;
    public static final int HEADER_VERSION_OFFSET = 0;
    public static final int HEADER_PID_OFFSET = 4;
    public static final int HEADER_SIZE = 8;
    public static final int EFFECTIVE_OFFSET = 0;
    public static final int PERMITTED_OFFSET = 4;
    public static final int INHERITABLE_OFFSET = 8;
    public static final int DATA_SIZE = 12;
    public static final int DATA_COUNT = 2;

    static final StructLayout HEADER = MemoryLayout.structLayout(JAVA_INT.withName("version"), JAVA_INT.withName("pid"))
            .withName("__user_cap_header_struct");
    static final StructLayout DATA = MemoryLayout.structLayout(JAVA_INT.withName("effective"),
            JAVA_INT.withName("permitted"), JAVA_INT.withName("inheritable")).withName("__user_cap_data_struct");

    static {
        LayoutCheck.offset(HEADER, "version", HEADER_VERSION_OFFSET);
        LayoutCheck.offset(HEADER, "pid", HEADER_PID_OFFSET);
        LayoutCheck.size(HEADER, HEADER_SIZE);
        LayoutCheck.offset(DATA, "effective", EFFECTIVE_OFFSET);
        LayoutCheck.offset(DATA, "permitted", PERMITTED_OFFSET);
        LayoutCheck.offset(DATA, "inheritable", INHERITABLE_OFFSET);
        LayoutCheck.size(DATA, DATA_SIZE);
    }

    private CapabilityData() {
    }
}
