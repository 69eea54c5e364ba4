package gulp.kafka;

import gulp.stats.CaptureCounters;
import gulp.stats.InterfaceFigures;

/**
 * A capture box's own counters, carried to {@code kafka-consume} in the {@code counters} header of
 * every record ({@link KafkaRecordFormat}) so that the files it rebuilds say what the box lost. One
 * UTF-8 line of {@code name=value} pairs, space-separated, counts since the start of the box's run:
 * <pre>
 * run=1764612345123456789   the box's run: when its sink started (ns since the epoch); counts restart with a run
 * stored=N                  packets the box put into its ring (accepted by its filters)
 * ringfull=N                packets lost because the box's ring was full
 * filtered=N                packets the box's user-space filter rejected
 * kafka=N                   packets that left the ring but never reached Kafka (undelivered, unsent at stop)
 * stalled=N                 of ringfull + kernel, those lost while the producer refused records (kafka drops)
 * recv=N kernel=N ifdrop=N  live capture only: the kernel's tp_packets and tp_drops, the interface's drops
 * </pre>
 * Unknown names are ignored and a missing figure is unknown ({@link InterfaceFigures#UNKNOWN}), so
 * either side may add figures.
 */
public record BoxCounters(long run, long stored, long ringFull, long filtered, long kafka, long stalled,
                          long received, long kernelDropped, long interfaceDropped) {
    private static final long U = InterfaceFigures.UNKNOWN;

    /** The box's counters now (read from the sink's writer thread; each figure is a single-writer counter). */
    static BoxCounters of(long run, CaptureCounters c, boolean live) {
        return new BoxCounters(run, c.recordsStored.get(), c.droppedRingFull.get(), c.filteredOut.get(),
                c.kafkaLostAfterRing(), c.lostWhileStalled(), live ? c.kernelReceived.get() : U,
                live ? c.kernelDropped.get() : U, live ? c.interfaceDropped.get() : U);
    }

    /** The header's text. */
    public String text() {
        StringBuilder b = new StringBuilder(160);
        b.append("run=").append(run).append(" stored=").append(stored).append(" ringfull=").append(ringFull)
                .append(" filtered=").append(filtered).append(" kafka=").append(kafka).append(" stalled=").append(stalled);
        if (received >= 0) {
            b.append(" recv=").append(received).append(" kernel=").append(kernelDropped).append(" ifdrop=").append(interfaceDropped);
        }
        return b.toString();
    }

    /** The counters of a header's text, or null when it has none or no {@code run}. */
    public static BoxCounters parse(String text) {
        if (text == null) {
            return null;
        }
        long run = U;
        long stored = U;
        long ringFull = U;
        long filtered = U;
        long kafka = U;
        long stalled = U;
        long received = U;
        long kernel = U;
        long ifdrop = U;
        for (String pair : text.trim().split("\\s+")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            long value;
            try {
                value = Long.parseLong(pair.substring(eq + 1));
            } catch (NumberFormatException e) {
                continue;
            }
            if (value < 0) {
                continue;
            }
            switch (pair.substring(0, eq)) {
                case "run" -> run = value;
                case "stored" -> stored = value;
                case "ringfull" -> ringFull = value;
                case "filtered" -> filtered = value;
                case "kafka" -> kafka = value;
                case "stalled" -> stalled = value;
                case "recv" -> received = value;
                case "kernel" -> kernel = value;
                case "ifdrop" -> ifdrop = value;
                default -> { } // a figure of a later version
            }
        }
        return run < 0 ? null : new BoxCounters(run, stored, ringFull, filtered, kafka, stalled, received, kernel, ifdrop);
    }

    /** Figure by figure the larger (records of one run may arrive out of order across partitions; counts only grow). */
    BoxCounters latest(BoxCounters other) {
        return new BoxCounters(run, Math.max(stored, other.stored), Math.max(ringFull, other.ringFull),
                Math.max(filtered, other.filtered), Math.max(kafka, other.kafka), Math.max(stalled, other.stalled),
                Math.max(received, other.received), Math.max(kernelDropped, other.kernelDropped),
                Math.max(interfaceDropped, other.interfaceDropped));
    }

    /** Figure by figure the sum of the known ones (the runs of one box and interface); unknown if neither is known. */
    BoxCounters plus(BoxCounters other) {
        return new BoxCounters(run, sum(stored, other.stored), sum(ringFull, other.ringFull), sum(filtered, other.filtered),
                sum(kafka, other.kafka), sum(stalled, other.stalled), sum(received, other.received),
                sum(kernelDropped, other.kernelDropped), sum(interfaceDropped, other.interfaceDropped));
    }

    private static long sum(long a, long b) {
        return a < 0 && b < 0 ? U : Math.max(0, a) + Math.max(0, b);
    }
}
