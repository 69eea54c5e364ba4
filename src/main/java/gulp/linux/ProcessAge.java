package gulp.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;

/**
 * How long ago this process started, from two clocks that both count from boot: field 22 of
 * {@code /proc/self/stat} (start time in clock ticks) and {@code /proc/uptime}. Java's
 * {@code ProcessHandle.Info.startInstant()} adds the start to the boot time in whole seconds
 * ({@code btime}), so it is off by up to a second (0.53 s on the test VM): useless for timing a
 * start-up that should take less than one.
 */
public final class ProcessAge {
    /** USER_HZ: /proc reports times in these ticks on every Linux architecture gulp runs on. */
    private static final double TICKS_PER_SECOND = 100.0;
    private static final int START_TIME_FIELD = 22;

    private ProcessAge() {
    }

    /** Seconds since this process started (10 ms resolution), or empty if /proc cannot tell. */
    public static OptionalDouble seconds() {
        try {
            double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).trim().split("\\s+")[0]);
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Field 2 (the command name) is in parentheses and may hold spaces: count from after it.
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            long startTicks = Long.parseLong(after[START_TIME_FIELD - 3]);
            return OptionalDouble.of(Math.max(0, uptime - startTicks / TICKS_PER_SECOND));
        } catch (IOException | RuntimeException e) {
            return OptionalDouble.empty();
        }
    }
}
