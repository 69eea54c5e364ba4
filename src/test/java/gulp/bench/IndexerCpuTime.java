package gulp.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link IndexerBenchmark} timed by the thread's CPU time instead of the wall clock, for
 * comparing index variants (or builds) on a machine other work keeps busy (time spent waiting
 * for a CPU is not counted). One case per JVM, as a JMH fork:
 * <pre>
 * java -cp ... gulp.bench.IndexerCpuTime index|walk FORMAT HOSTS TRAFFIC [BATCHES [RECORDS]]
 * </pre>
 * e.g. {@code index pcap 100000 flows}; warms up for 3 s of CPU time (-Dgulp.bench.warmUpMillis=), then times BATCHES
 * (default 30) batches of 32 spans (RECORDS 64-byte records each, default {@link IndexerBenchmark#BATCH};
 * 2048 keeps the span in the L2 cache, so other work's memory traffic disturbs it less) and
 * prints {@code CASE FORMAT HOSTS TRAFFIC min median} in ns per record (the minimum is the least
 * disturbed).
 */
public final class IndexerCpuTime {
    private static final long WARM_UP_NANOS = Long.getLong("gulp.bench.warmUpMillis", 3000) * 1_000_000L;

    private IndexerCpuTime() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: IndexerCpuTime index|walk pcap|pcapng HOSTS flows|random [BATCHES]");
            System.exit(2);
        }
        boolean index = args[0].equals("index");
        IndexerBenchmark bench = new IndexerBenchmark();
        bench.format = args[1];
        bench.frameBytes = 64;
        bench.hosts = Integer.parseInt(args[2]);
        bench.traffic = args[3];
        if (args.length > 5) {
            bench.records = Integer.parseInt(args[5]);
        }
        bench.setUp();
        bench.startFile();
        int batches = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        int calls = 32 * IndexerBenchmark.BATCH / bench.records;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        long warmUpEnd = threads.getCurrentThreadCpuTime() + WARM_UP_NANOS;
        while (threads.getCurrentThreadCpuTime() < warmUpEnd) {
            sink += batch(bench, index, calls);
        }
        double[] nanosPerRecord = new double[batches];
        for (int b = 0; b < batches; b++) {
            long start = threads.getCurrentThreadCpuTime();
            sink += batch(bench, index, calls);
            nanosPerRecord[b] = (threads.getCurrentThreadCpuTime() - start) / (double) (calls * (long) bench.records);
        }
        Arrays.sort(nanosPerRecord);
        System.out.printf("%s %s %s %s %.2f %.2f%s%n", args[0], args[1], args[2], args[3], nanosPerRecord[0],
                nanosPerRecord[batches / 2], sink == 42 ? " " : "");
        bench.endFile();
        bench.tearDown();
    }

    private static long batch(IndexerBenchmark bench, boolean index, int calls) {
        long sink = 0;
        for (int i = 0; i < calls; i++) {
            if (index) {
                sink += bench.indexSpan();
            } else {
                sink += bench.walkOnly();
            }
        }
        return sink;
    }
}
