package gulp.run;

import gulp.metrics.Watch;
import gulp.ring.ByteRing;
import gulp.stats.CaptureCounters;
import gulp.stats.Report;

import java.io.PrintStream;

/** The main thread's twice-a-second duties: the {@code -V} status line, {@code --stats-json} and ring-full warnings. */
final class StatusTicker {
    private final Options options;
    private final ByteRing ring;
    private final CaptureCounters counters;
    private final Report report;
    private final PrintStream err;
    private final Watch watch;
    private long lastNanos;
    private long lastRecords;
    private long lastBytes;
    private long lastDrops;

    StatusTicker(Options options, ByteRing ring, CaptureCounters counters, Report report, PrintStream err, Watch watch) {
        this.options = options;
        this.ring = ring;
        this.counters = counters;
        this.report = report;
        this.err = err;
        this.watch = watch;
    }

    void tick(long elapsedNanos) {
        long drops = counters.droppedRingFull.get();
        if (drops != lastDrops && !options.quiet && options.statusArgument == null) {
            err.println("gulp: ring buffer full: " + (drops - lastDrops) + " packets dropped");
        }
        lastDrops = drops;
        if (options.statusArgument != null) {
            double seconds = (elapsedNanos - lastNanos) / 1e9;
            err.println(report.statusLine(ring.used(), ring.peakUsed(), seconds, lastRecords, lastBytes));
        }
        watch.tick();
        lastNanos = elapsedNanos;
        lastRecords = counters.recordsWritten.get();
        lastBytes = counters.bytesWritten.get();
    }
}
