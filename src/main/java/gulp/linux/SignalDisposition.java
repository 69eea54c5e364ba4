package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * signal(2) and sigaction(2) for the dispositions Java cannot set: SIG_DFL, so that a SIGINT a
 * script's background job inherited as ignored can be taken (the JVM refuses a handler for an
 * ignored signal), and SIG_IGN for the real-time signals, which Java cannot name and whose default
 * action would kill gulp with the ring's contents.
 */
public final class SignalDisposition {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final long SIG_DFL = 0;
    private static final long SIG_IGN = 1;
    private static final long SIG_ERR = -1;
    /** The kernel's real-time signals; glibc keeps the first two (its SIGRTMIN is 34) and refuses them. */
    public static final int KERNEL_RTMIN = 32;
    public static final int KERNEL_RTMAX = 64;

    /** Each native call is bound on first use: binding costs milliseconds that start-up need not pay. */
    private static final class Signal {
        static final MethodHandle HANDLE = LINKER.downcallHandle(LINKER.defaultLookup().find("signal").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    }

    private static final class Sigaction {
        static final MethodHandle HANDLE = LINKER.downcallHandle(LINKER.defaultLookup().find("sigaction").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
    }

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
            if ((int) Sigaction.HANDLE.invokeExact(signalNumber, MemorySegment.NULL, current) != 0
                    || SigAction.handler(current) != SIG_DFL) {
                return false; // a handler (the JDK's own, for one) or an inherited SIG_IGN stays
            }
            MemorySegment ignore = SigAction.allocate(arena);
            SigAction.setHandler(ignore, SIG_IGN);
            return (int) Sigaction.HANDLE.invokeExact(signalNumber, ignore, MemorySegment.NULL) == 0;
        } catch (Throwable e) {
            return false;
        }
    }

    private static long set(int signalNumber, long handler) {
        try {
            MemorySegment previous = (MemorySegment) Signal.HANDLE.invokeExact(signalNumber, MemorySegment.ofAddress(handler));
            return previous.address();
        } catch (Throwable e) {
            return SIG_ERR;
        }
    }
}
