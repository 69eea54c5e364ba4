package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * signal(2) and sigaction(2) for the dispositions Java cannot set: SIG_DFL, so that a SIGINT a script's background
 * job inherited as ignored can be taken (the JVM refuses a handler for an ignored signal), and
 * SIG_IGN for the real-time signals, which Java cannot name and whose default action would kill
 * gulp with the ring's contents.
 */
public final class SignalDisposition {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle SIGNAL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("signal").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle SIGACTION = LINKER.downcallHandle(
            LINKER.defaultLookup().find("sigaction").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    /** glibc's SIGRTMIN and SIGRTMAX are functions: it keeps the lowest real-time signals for itself. */
    private static final MethodHandle RTMIN = LINKER.downcallHandle(
            LINKER.defaultLookup().find("__libc_current_sigrtmin").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final MethodHandle RTMAX = LINKER.downcallHandle(
            LINKER.defaultLookup().find("__libc_current_sigrtmax").orElseThrow(), FunctionDescriptor.of(ValueLayout.JAVA_INT));
    private static final long SIG_DFL = 0;
    private static final long SIG_IGN = 1;
    private static final long SIG_ERR = -1;

    private SignalDisposition() {
    }

    /** Sets the default action for {@code signalNumber}; false if that failed. */
    public static boolean restoreDefault(int signalNumber) {
        return set(signalNumber, SIG_DFL) != SIG_ERR;
    }

    /**
     * Ignores {@code signalNumber} if its action is the default; a handler or an inherited
     * SIG_IGN is left as it was. True if the signal is now ignored by this call.
     */
    public static boolean ignoreIfDefault(int signalNumber) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment current = SigAction.allocate(arena);
            if ((int) SIGACTION.invokeExact(signalNumber, MemorySegment.NULL, current) != 0
                    || SigAction.handler(current) != SIG_DFL) {
                return false; // a handler (the JDK's own, for one) or an inherited SIG_IGN stays
            }
            MemorySegment ignore = SigAction.allocate(arena);
            SigAction.setHandler(ignore, SIG_IGN);
            return (int) SIGACTION.invokeExact(signalNumber, ignore, MemorySegment.NULL) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    /** SIGRTMIN and SIGRTMAX of this process, as glibc defines them at run time. */
    public static int[] realtimeRange() {
        try {
            return new int[] {(int) RTMIN.invokeExact(), (int) RTMAX.invokeExact()};
        } catch (Throwable e) {
            return new int[] {0, -1};
        }
    }

    private static long set(int signalNumber, long handler) {
        try {
            MemorySegment previous = (MemorySegment) SIGNAL.invokeExact(signalNumber, MemorySegment.ofAddress(handler));
            return previous.address();
        } catch (Throwable e) {
            return SIG_ERR;
        }
    }
}
