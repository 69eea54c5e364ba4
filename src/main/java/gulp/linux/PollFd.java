package gulp.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct pollfd} (8 bytes).
 * <pre>
 *  0      4        6         8
 *  | fd   | events | revents |
 * </pre>
 */
public final class PollFd {
    public static final int FD_OFFSET = 0;
    public static final int EVENTS_OFFSET = 4;
    public static final int REVENTS_OFFSET = 6;
    public static final int SIZE = 8;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("fd"), JAVA_SHORT.withName("events"), JAVA_SHORT.withName("revents")).withName("pollfd");

    static {
        LayoutCheck.offset(LAYOUT, "fd", FD_OFFSET);
        LayoutCheck.offset(LAYOUT, "events", EVENTS_OFFSET);
        LayoutCheck.offset(LAYOUT, "revents", REVENTS_OFFSET);
        LayoutCheck.size(LAYOUT, SIZE);
    }

    private PollFd() {
    }
}
