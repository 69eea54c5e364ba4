package gulp.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link DecapBenchmark#decapsulate()} timed by the thread's CPU time instead of the wall clock, for
 * a comparison on a machine that other work keeps busy (time spent waiting for a CPU is not
 * counted; caches shared with the other work still are). One case per JVM, as a JMH fork:
 * <pre>
 * java -cp ... gulp.bench.DecapCpuTime CASE [BATCHES]
 * </pre>
 * warms up for 3 s of CPU time, then times BATCHES (default 40) batches of 2^20 packets and prints
 * {@code CASE min median} in ns per packet over the batches (the minimum is the least disturbed).
 */
public final class DecapCpuTime {
    private static final int BATCH = 1 << 20;
    private static final long WARM_UP_NANOS = 3_000_000_000L;

    private DecapCpuTime() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: DecapCpuTime CASE [BATCHES]");
            System.exit(2);
        }
        DecapBenchmark bench = new DecapBenchmark();
        bench.encapsulation = args[0];
        bench.setUp();
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        long warmUpEnd = threads.getCurrentThreadCpuTime() + WARM_UP_NANOS;
        while (threads.getCurrentThreadCpuTime() < warmUpEnd) {
            sink += batch(bench);
        }
        double[] nanosPerPacket = new double[batches];
        for (int b = 0; b < batches; b++) {
            long start = threads.getCurrentThreadCpuTime();
            sink += batch(bench);
            nanosPerPacket[b] = (threads.getCurrentThreadCpuTime() - start) / (double) BATCH;
        }
        Arrays.sort(nanosPerPacket);
        System.out.printf("%s %.2f %.2f%s%n", args[0], nanosPerPacket[0], nanosPerPacket[batches / 2],
                sink == 42 ? " " : "");
    }

    private static long batch(DecapBenchmark bench) {
        long sum = 0;
        for (int i = 0; i < BATCH; i++) {
            sum += bench.decapsulate();
        }
        return sum;
    }
}
