package gulp.linux;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** isatty(3), to refuse writing binary pcap to a terminal as the original Gulp did. */
public final class Terminal {
    private static final MethodHandle ISATTY = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("isatty").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Terminal() {
    }

    public static boolean isTerminal(int fd) {
        try {
            return (int) ISATTY.invokeExact(fd) == 1;
        } catch (Throwable e) {
            return false;
        }
    }
}
