package gulp.run;

import gulp.linux.ProcessAge;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * With {@code GULP_STARTUP_TRACE=1} in the environment, one stderr line per start-up stage (and
 * the end's: a file run's "run done" and "ring unmapped", then "exit" before the JVM's exit):
 * seconds since the process started (the first from {@link ProcessAge}, 10 ms resolution; the
 * later ones add {@link System#nanoTime} to it) and the process's CPU time so far (user + system,
 * from {@code /proc/self/stat}, 10 ms ticks). A timing aid for {@code bench/startup-bench.sh}
 * (BENCHMARKS.md §3.7; docs/benchmarks-history.md §9, "Start-up"); off, a mark costs one static field read.
 */
public final class StartupTrace {
    private static final boolean ON = System.getenv("GULP_STARTUP_TRACE") != null;
    private static final double TICKS_PER_SECOND = 100.0;
    private static final int UTIME_FIELD = 14;
    private static long originNanos;
    private static double originAge = -1;

    private StartupTrace() {
    }

    /** Notes that {@code stage} is done (any thread). */
    public static void mark(String stage) {
        if (ON) {
            print(stage);
        }
    }

    private static synchronized void print(String stage) {
        long now = System.nanoTime();
        if (originAge < 0) {
            originNanos = now;
            originAge = ProcessAge.seconds().orElse(0);
        }
        double age = originAge + (now - originNanos) / 1e9;
        System.err.println(String.format(Locale.ROOT, "gulp: startup %.3f s cpu %.2f s %s [%s]", age, cpuSeconds(),
                stage, Thread.currentThread().getName()));
    }

    /** User + system time of the whole process, or -1. */
    private static double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return (Long.parseLong(after[UTIME_FIELD - 3]) + Long.parseLong(after[UTIME_FIELD - 2])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
