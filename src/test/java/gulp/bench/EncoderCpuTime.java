package gulp.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link EncoderBenchmark#encodeAndWalk()} timed by the thread's CPU time instead of the wall
 * clock, for comparing pcap with pcapng (or two builds) on a machine that other work keeps busy
 * (time spent waiting for a CPU is not counted; caches shared with the other work still are). One
 * case per JVM, as a JMH fork:
 * <pre>
 * java -cp ... gulp.bench.EncoderCpuTime FORMAT FRAME_BYTES [BATCHES]
 * </pre>
 * warms up for 3 s of CPU time, then times BATCHES (default 40) batches of about 2^20 records and
 * prints {@code FORMAT FRAME_BYTES min median} in ns per record (the minimum is the least disturbed).
 */
public final class EncoderCpuTime {
    private static final int CALLS = (1 << 20) / RingBenchmark.BATCH;
    private static final long WARM_UP_NANOS = 3_000_000_000L;

    private EncoderCpuTime() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: EncoderCpuTime pcap|pcapng FRAME_BYTES [BATCHES]");
            System.exit(2);
        }
        EncoderBenchmark bench = new EncoderBenchmark();
        bench.format = args[0];
        bench.frameBytes = Integer.parseInt(args[1]);
        bench.setUp();
        int batches = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long records = 0;
        long warmUpEnd = threads.getCurrentThreadCpuTime() + WARM_UP_NANOS;
        while (threads.getCurrentThreadCpuTime() < warmUpEnd) {
            records += batch(bench);
        }
        double[] nanosPerRecord = new double[batches];
        for (int b = 0; b < batches; b++) {
            long start = threads.getCurrentThreadCpuTime();
            long n = batch(bench);
            nanosPerRecord[b] = (threads.getCurrentThreadCpuTime() - start) / (double) n;
            records += n;
        }
        Arrays.sort(nanosPerRecord);
        System.out.printf("%s %s %.2f %.2f%s%n", args[0], args[1], nanosPerRecord[0], nanosPerRecord[batches / 2],
                records == 42 ? " " : "");
        bench.tearDown();
    }

    private static long batch(EncoderBenchmark bench) {
        long records = 0;
        for (int i = 0; i < CALLS; i++) {
            records += bench.encodeAndWalk();
        }
        return records;
    }
}
