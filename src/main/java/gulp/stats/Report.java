package gulp.stats;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The end-of-run counters on stderr, one "N label" per line so scripts can parse them (like
 * tcpdump's "N packets captured"), and the {@code -V} status line.
 */
public final class Report {
    private final CaptureCounters counters;
    private final long ringCapacity;
    private final boolean live;
    private final boolean opaque;
    private final List<Consumer<StringBuilder>> sections = new ArrayList<>();
    private final List<Supplier<String>> statusParts = new ArrayList<>();

    public Report(CaptureCounters counters, long ringCapacity, boolean live, boolean opaque) {
        this.counters = counters;
        this.ringCapacity = ringCapacity;
        this.live = live;
        this.opaque = opaque;
    }

    /** More lines for the end-of-run report (decapsulation counters, upstream loss per session). */
    public void addSection(Consumer<StringBuilder> section) {
        sections.add(section);
    }

    /** More text for the {@code -V} status line (e.g. packets missing upstream). */
    public void addStatus(Supplier<String> part) {
        statusParts.add(part);
    }

    public void printFinal(PrintStream out, long ringPeak) {
        StringBuilder b = new StringBuilder();
        if (opaque) {
            line(b, counters.bytesStored.get(), "bytes read");
            line(b, counters.bytesWritten.get(), "bytes written");
        } else {
            line(b, counters.packetsRead.get(), live ? "packets captured" : "packets read");
            if (counters.filteredOut.get() > 0) {
                line(b, counters.filteredOut.get(), "packets rejected by the filter");
            }
            if (counters.decapSkipped.get() > 0) {
                line(b, counters.decapSkipped.get(), "packets skipped by decapsulation");
            }
            if (counters.directionSkipped.get() > 0) {
                line(b, counters.directionSkipped.get(), "packets skipped (other direction)");
            }
            line(b, counters.recordsWritten.get(), "records written");
            line(b, counters.bytesWritten.get(), "bytes written");
            line(b, counters.droppedRingFull.get(), "records dropped (ring full)");
            long unwritten = counters.recordsStored.get() - counters.recordsWritten.get() - counters.kafkaLostAfterRing();
            if (unwritten > 0) {
                line(b, unwritten, "records dropped (output failed)");
            }
            if (live) {
                line(b, counters.kernelReceived.get(), "packets received by the kernel");
                line(b, counters.kernelDropped.get(), "packets dropped by the kernel");
                line(b, counters.interfaceDropped.get(), "packets dropped by the interface");
            }
        }
        for (Consumer<StringBuilder> section : sections) {
            section.accept(b);
        }
        b.append(String.format(Locale.ROOT, "ring buffer peak use: %.1f%% of %s%n",
                100.0 * ringPeak / ringCapacity, mebibytes(ringCapacity)));
        out.print(b);
        out.flush();
    }

    /** One status line: ring use now and at peak, records, bytes, drops, rates since the last line. */
    public String statusLine(long ringUsed, long ringPeak, double seconds, long recordsBefore, long bytesBefore) {
        long records = counters.recordsWritten.get();
        long bytes = counters.bytesWritten.get();
        String line = String.format(Locale.ROOT,
                "ring %.1f%% (peak %.1f%%), %d records, %s written, drops: %d ring full%s, %.0f pkt/s, %.1f MB/s",
                100.0 * ringUsed / ringCapacity, 100.0 * ringPeak / ringCapacity, records, megabytes(bytes),
                counters.droppedRingFull.get(),
                live ? ", " + counters.kernelDropped.get() + " kernel, " + counters.interfaceDropped.get() + " interface" : "",
                seconds > 0 ? (records - recordsBefore) / seconds : 0.0,
                seconds > 0 ? (bytes - bytesBefore) / seconds / 1e6 : 0.0);
        StringBuilder b = new StringBuilder(line);
        for (Supplier<String> part : statusParts) {
            b.append(", ").append(part.get());
        }
        return b.toString();
    }

    private static void line(StringBuilder b, long value, String label) {
        b.append(value).append(' ').append(label).append('\n');
    }

    static String mebibytes(long bytes) {
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
