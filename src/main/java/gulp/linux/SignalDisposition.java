package gulp.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * signal(2) with SIG_DFL: a shell starts background jobs of a script with SIGINT ignored, and the
 * JVM then refuses a handler for it. Restoring the default first lets {@code kill -INT} stop gulp
 * cleanly, as it stops tcpdump.
 */
public final class SignalDisposition {
    private static final MethodHandle SIGNAL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("signal").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));

    private SignalDisposition() {
    }

    /** Sets the default action for {@code signalNumber}; false if that failed. */
    public static boolean restoreDefault(int signalNumber) {
        try {
            MemorySegment previous = (MemorySegment) SIGNAL.invokeExact(signalNumber, MemorySegment.NULL);
            return previous.address() != -1L; // SIG_ERR
        } catch (Throwable e) {
            return false;
        }
    }
}
