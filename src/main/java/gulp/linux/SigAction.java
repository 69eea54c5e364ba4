package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * glibc's {@code struct sigaction} on 64-bit Linux (152 bytes), for sigaction(2): read a signal's
 * action without changing it, and set one with exactly the flags wanted ({@code signal(3)} would
 * add SA_RESTART, which breaks the JDK's handler that interrupts blocking reads).
 * <pre>
 *  0            8                        136        140     144            152
 *  | sa_handler | sa_mask (sigset_t, 128) | sa_flags | (pad) | sa_restorer  |
 * </pre>
 */
public final class SigAction {
    public static final int HANDLER_OFFSET = 0;
    public static final int MASK_OFFSET = 8;
    public static final int MASK_SIZE = 128;
    public static final int FLAGS_OFFSET = 136;
    public static final int RESTORER_OFFSET = 144;
    public static final int SIZE = 152;

    /**
     * The C declaration as an FFM layout, checked against the constants by {@code SigActionTest}
     * rather than at class initialisation like the other descriptors: building and walking a
     * layout costs the start-up tens of milliseconds, for a struct read once per signal.
     */
    static final class Declaration {
        static final StructLayout LAYOUT = MemoryLayout.structLayout(
                ADDRESS.withName("sa_handler"), MemoryLayout.sequenceLayout(MASK_SIZE, JAVA_BYTE).withName("sa_mask"),
                JAVA_INT.withName("sa_flags"), MemoryLayout.paddingLayout(4),
                ADDRESS.withName("sa_restorer")).withName("sigaction");

        static void check() {
            LayoutCheck.offset(LAYOUT, "sa_handler", HANDLER_OFFSET);
            LayoutCheck.offset(LAYOUT, "sa_mask", MASK_OFFSET);
            LayoutCheck.offset(LAYOUT, "sa_flags", FLAGS_OFFSET);
            LayoutCheck.offset(LAYOUT, "sa_restorer", RESTORER_OFFSET);
            LayoutCheck.size(LAYOUT, SIZE);
        }

        private Declaration() {
        }
    }

    private SigAction() {
    }

    /** A zeroed struct (empty mask, no flags). */
    static MemorySegment allocate(Arena arena) {
        return arena.allocate(SIZE, 8);
    }

    static long handler(MemorySegment action) {
        return action.get(JAVA_LONG, HANDLER_OFFSET);
    }

    /** Sets the handler only: with the zeroed mask and flags of {@link #allocate}, a plain disposition. */
    static void setHandler(MemorySegment action, long handler) {
        action.set(JAVA_LONG, HANDLER_OFFSET, handler);
    }
}
