package gulp.metrics;

import gulp.decap.DecapCounters;
import gulp.decap.SequenceGapTracker;
import gulp.ring.ByteRing;
import gulp.stats.CaptureCounters;
import gulp.stats.InterfaceFigures;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.ToLongBiFunction;
import java.util.function.ToLongFunction;

/**
 * Every figure of a run, once, for both the Prometheus endpoint and {@code --stats-json}: names,
 * help texts and where each value is read (gulp's own counters, the ring, the decapsulator's
 * counters, the output's file system). Nothing here runs on the capture path.
 */
public final class RunFigures {
    /**
     * What a run's figures are read from.
     *
     * @param kafkaRefusing with {@code --kafka}: whether the producer refuses records now; null without
     */
    public record Sources(CaptureCounters counters, InterfaceFigures interfaces, ByteRing ring, boolean live,
                          DecapCounters decap, SequenceGapTracker sessions, Path outputFileSystem,
                          BooleanSupplier kafkaRefusing) {
    }

    private final List<Figure> figures = new ArrayList<>();

    /**
     * @param startMillis the wall-clock time the capture started
     */
    public RunFigures(Sources sources, long startMillis) {
        CaptureCounters c = sources.counters();
        InterfaceFigures ifs = sources.interfaces();
        if (sources.live()) {
            perInterface("gulp_kernel_received_packets_total",
                    "Packets the kernel counted for the capture socket (PACKET_STATISTICS tp_packets; its drops included).",
                    ifs, InterfaceFigures::kernelReceived);
            perInterface("gulp_kernel_dropped_packets_total",
                    "Packets the kernel dropped because its ring was full (PACKET_STATISTICS tp_drops).",
                    ifs, InterfaceFigures::kernelDropped);
            perInterface("gulp_interface_dropped_packets_total",
                    "Packets the interface dropped since the start (rx_missed_errors + rx_fifo_errors).",
                    ifs, InterfaceFigures::interfaceDropped);
            perInterfaceGauge("gulp_kernel_ring_used_bytes",
                    "Bytes of the interface's kernel ring (TPACKET_V3) holding packets for gulp now: blocks the kernel"
                            + " handed over that gulp's reader has not given back (the block being filled not counted).",
                    ifs, InterfaceFigures::kernelRingUsedBytes);
            perInterfaceGauge("gulp_kernel_ring_peak_used_bytes",
                    "The most gulp_kernel_ring_used_bytes has been when read (by a scrape or a --stats-json tick) in this run.",
                    ifs, InterfaceFigures::kernelRingPeakUsedBytes);
            perInterfaceGauge("gulp_kernel_ring_capacity_bytes", "Size of the interface's kernel ring (-B).",
                    ifs, InterfaceFigures::kernelRingCapacityBytes);
        }
        perInterface("gulp_captured_packets_total",
                "Packets gulp stored in its ring as records for the output.", ifs, InterfaceFigures::recordsStored);
        perInterface("gulp_ring_full_dropped_packets_total",
                "Packets gulp dropped because its own ring was full.", ifs, InterfaceFigures::ringFullDropped);
        perInterface("gulp_filter_rejected_packets_total",
                "Packets the user-space filter rejected (a filter run in the kernel rejects before counting).",
                ifs, InterfaceFigures::filteredOut);

        add(Figure.counter("gulp_output_stall_dropped_packets_total",
                "Packets lost while the output was stalled (a full disk, a Kafka producer refusing), by where: ring_full"
                        + " (gulp's ring) or kernel (tp_drops read while kernel blocks were held); also in those counters.",
                out -> {
                    out.value(c.stalledRingFull.get(), "ring_full");
                    out.value(c.stalledKernel.get(), "kernel");
                }, "where"));
        add(Figure.counter("gulp_read_packets_total",
                "Packets the reader took from its input (live: from the kernel ring).", one(c.packetsRead::get)));
        add(Figure.counter("gulp_written_records_total", "Records written to the output.", one(c.recordsWritten::get)));
        add(Figure.counter("gulp_written_bytes_total", "Bytes of records written to the output (file headers not counted).",
                one(c.bytesWritten::get)));
        add(Figure.counter("gulp_files_finished_total", "Output files finished by rotation (-o).",
                one(c.filesFinished::get)));
        add(Figure.gauge("gulp_last_file_finished_time_seconds",
                "When the last output file was finished by rotation, in seconds since the epoch (absent before the first).",
                out -> {
                    long millis = c.lastFileFinishedMillis.get();
                    if (millis > 0) {
                        out.value(millis / 1000.0);
                    }
                }));

        ByteRing ring = sources.ring();
        add(Figure.gauge("gulp_ring_used_bytes", "Bytes in gulp's ring not yet written.", one(ring::used)));
        add(Figure.gauge("gulp_ring_peak_used_bytes", "The most bytes gulp's ring has held in this run.",
                one(ring::peakUsed)));
        add(Figure.gauge("gulp_ring_capacity_bytes", "Size of gulp's ring (-r).", one(ring::capacity)));
        Path fileSystem = sources.outputFileSystem();
        if (fileSystem != null) {
            add(Figure.gauge("gulp_output_free_bytes",
                    "Bytes available to gulp on the output's file system (statvfs at scrape time).",
                    out -> {
                        try {
                            out.value(Files.getFileStore(fileSystem).getUsableSpace());
                        } catch (IOException | RuntimeException e) {
                            // Gone or unreadable: no value rather than a wrong one.
                        }
                    }));
        }
        add(Figure.gauge("gulp_start_time_seconds", "When the capture started, in seconds since the epoch.",
                out -> out.value(startMillis / 1000.0)));

        if (sources.kafkaRefusing() != null) {
            kafkaFigures(c, sources.kafkaRefusing());
        }
        if (sources.decap() != null) {
            decapFigures(sources.decap());
        }
        if (sources.sessions() != null) {
            sessionFigures(sources.sessions());
        }
    }

    /**
     * With {@code --fanout}: figures per reader/writer pair ({@code pair} label "0", "1", ...),
     * beside the totals the other figures show. {@code counters}, {@code rings} and {@code sockets}
     * (each pair's sockets' figures: their kernel rings) are in pair order.
     */
    public RunFigures withPairs(List<CaptureCounters> counters, List<ByteRing> rings, List<InterfaceFigures> sockets) {
        perPair("gulp_pair_read_packets_total", "Packets each --fanout pair's reader took from its socket's kernel ring.",
                counters, c -> c.packetsRead.get());
        perPair("gulp_pair_written_records_total", "Records each --fanout pair's writer wrote to its files.",
                counters, c -> c.recordsWritten.get());
        perPair("gulp_pair_ring_full_dropped_packets_total", "Packets each --fanout pair dropped because its ring was full.",
                counters, c -> c.droppedRingFull.get());
        perPair("gulp_pair_kernel_received_packets_total", "Packets the kernel counted for each --fanout pair's socket.",
                counters, c -> c.kernelReceived.get());
        perPair("gulp_pair_kernel_dropped_packets_total", "Packets the kernel dropped for each --fanout pair's socket.",
                counters, c -> c.kernelDropped.get());
        add(Figure.gauge("gulp_pair_ring_used_bytes", "Bytes in each --fanout pair's ring not yet written.", out -> {
            for (int k = 0; k < rings.size(); k++) {
                out.value(rings.get(k).used(), Integer.toString(k));
            }
        }, "pair"));
        add(Figure.gauge("gulp_pair_kernel_ring_used_bytes",
                "Bytes of each --fanout pair's kernel rings holding packets for its reader now (as gulp_kernel_ring_used_bytes).",
                out -> {
                    for (int k = 0; k < sockets.size(); k++) {
                        long used = sumOfKnown(sockets.get(k), InterfaceFigures::kernelRingUsedBytes);
                        if (used >= 0) {
                            out.value(used, Integer.toString(k));
                        }
                    }
                }, "pair"));
        add(Figure.gauge("gulp_pair_kernel_ring_capacity_bytes", "Size of each --fanout pair's kernel rings.", out -> {
            for (int k = 0; k < sockets.size(); k++) {
                long capacity = sumOfKnown(sockets.get(k), InterfaceFigures::kernelRingCapacityBytes);
                if (capacity >= 0) {
                    out.value(capacity, Integer.toString(k));
                }
            }
        }, "pair"));
        return this;
    }

    /** The sum over a pair's interfaces of a figure, or {@link InterfaceFigures#UNKNOWN} if none knows it. */
    private static long sumOfKnown(InterfaceFigures ifs, ToLongBiFunction<InterfaceFigures, Integer> read) {
        long sum = InterfaceFigures.UNKNOWN;
        for (int id = 0; id < ifs.count(); id++) {
            long value = read.applyAsLong(ifs, id);
            if (value != InterfaceFigures.UNKNOWN) {
                sum = Math.max(sum, 0) + value;
            }
        }
        return sum;
    }

    private void perPair(String name, String help, List<CaptureCounters> counters,
                         ToLongFunction<CaptureCounters> read) {
        add(Figure.counter(name, help, out -> {
            for (int k = 0; k < counters.size(); k++) {
                out.value(read.applyAsLong(counters.get(k)), Integer.toString(k));
            }
        }, "pair"));
    }

    public List<Figure> figures() {
        return figures;
    }

    private void add(Figure figure) {
        figures.add(figure);
    }

    private void perInterface(String name, String help, InterfaceFigures ifs, ToLongBiFunction<InterfaceFigures, Integer> read) {
        add(Figure.counter(name, help, perInterface(ifs, read), "interface"));
    }

    /** A gauge per interface; interfaces without the figure (no kernel ring) have no series. */
    private void perInterfaceGauge(String name, String help, InterfaceFigures ifs,
                                   ToLongBiFunction<InterfaceFigures, Integer> read) {
        add(Figure.gauge(name, help, perInterface(ifs, read), "interface"));
    }

    private static Figure.Sampler perInterface(InterfaceFigures ifs, ToLongBiFunction<InterfaceFigures, Integer> read) {
        return out -> {
            int count = ifs.count();
            for (int id = 0; id < count; id++) {
                long value = read.applyAsLong(ifs, id);
                if (value != InterfaceFigures.UNKNOWN) {
                    out.value(value, ifs.name(id));
                }
            }
        };
    }

    private static Figure.Sampler one(LongSupplier read) {
        return out -> out.value(read.getAsLong());
    }

    /**
     * With {@code --kafka}: its losses by reason; a stall's are kafka drops too (stalled_ring_full,
     * stalled_kernel), and still counted where they happened (ring full, kernel).
     */
    private void kafkaFigures(CaptureCounters c, BooleanSupplier refusing) {
        add(Figure.counter("gulp_kafka_dropped_packets_total",
                "Packets lost for Kafka, by reason (stalled_ring_full, stalled_kernel: lost in gulp's ring or the kernel's"
                        + " while the producer refused records; undelivered: the producer gave up on them; unsent_at_stop:"
                        + " still not handed over when the stop's grace time ran out).",
                out -> {
                    out.value(c.kafkaUndelivered.get(), "undelivered");
                    out.value(c.kafkaUnsent.get(), "unsent_at_stop");
                    out.value(c.stalledRingFull.get(), "stalled_ring_full");
                    out.value(c.stalledKernel.get(), "stalled_kernel");
                }, "reason"));
        add(Figure.gauge("gulp_kafka_refusing",
                "1 while the Kafka producer refuses records (buffer full or no broker answers) and the ring holds them, else 0.",
                out -> out.value(refusing.getAsBoolean() ? 1 : 0)));
    }

    private void decapFigures(DecapCounters decap) {
        add(Figure.counter("gulp_decap_decapsulated_packets_total",
                "Packets decapsulated, by tunnel kind.",
                group(decap, DecapCounters.Group.DECAPSULATED, "INNER_"), "kind"));
        add(Figure.counter("gulp_decap_skipped_packets_total",
                "Packets decapsulation skipped, by reason (not_encapsulation: no tunnel; the others: malformed or not selected).",
                out -> {
                    group(decap, DecapCounters.Group.OTHER, "").sample(out);
                    group(decap, DecapCounters.Group.SKIPPED, "").sample(out);
                }, "reason"));
        add(Figure.counter("gulp_decap_events_total",
                "Other decapsulation events: outer IP fragment handling, synthetic Ethernet headers, unusable ERSPAN III times.",
                out -> {
                    group(decap, DecapCounters.Group.FRAGMENTS, "").sample(out);
                    group(decap, DecapCounters.Group.NOTE, "").sample(out);
                }, "event"));
    }

    /** One value per counter of the group, labelled with its name in lower case (without {@code prefix}). */
    private static Figure.Sampler group(DecapCounters decap, DecapCounters.Group group, String prefix) {
        return out -> {
            for (DecapCounters.Counter counter : DecapCounters.Counter.values()) {
                if (counter.group() == group) {
                    String name = counter.name();
                    if (name.startsWith(prefix)) {
                        name = name.substring(prefix.length());
                    }
                    out.value(decap.get(counter), name.toLowerCase(Locale.ROOT));
                }
            }
        };
    }

    private void sessionFigures(SequenceGapTracker tracker) {
        SessionLabels labels = new SessionLabels(tracker);
        add(Figure.counter("gulp_erspan_session_packets_total",
                "ERSPAN packets seen with a GRE sequence number, per session (the first "
                        + SessionLabels.LIMIT + " sessions seen; later ones under \"other\").",
                out -> labels.sample(tracker::packets, out), "session"));
        add(Figure.counter("gulp_erspan_session_missing_packets_total",
                "Packets missing upstream per ERSPAN session (GRE sequence gaps), counted once they leave the "
                        + SequenceGapTracker.WINDOW + "-number reorder window.",
                out -> labels.sample(tracker::missingSettled, out), "session"));
        add(Figure.counter("gulp_erspan_session_restarts_total",
                "Restarts of the GRE sequence numbers per ERSPAN session (a mirror session that started again).",
                out -> labels.sample(tracker::restarts, out), "session"));
    }
}
