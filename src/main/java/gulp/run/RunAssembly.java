package gulp.run;

import gulp.capture.Source;
import gulp.format.PcapRecordEncoder;
import gulp.format.RecordFraming;
import gulp.pipeline.PacketPath;
import gulp.pipeline.Pipeline;
import gulp.pipeline.RoleRunner;
import gulp.pipeline.RunControl;
import gulp.pipeline.Writer;
import gulp.ring.ByteRing;
import gulp.stats.CaptureCounters;
import gulp.stats.Report;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;

/** The parts every kind of run is built from: the ring, the packet path, the output, the writer, running them. */
final class RunAssembly {
    private final RunSettings settings;
    private final Options options;
    private final PrintStream err;
    private gulp.kafka.KafkaSink kafka; // kafka: the run's output when --kafka is given

    RunAssembly(RunSettings settings, PrintStream err) {
        this.settings = settings;
        this.options = settings.options();
        this.err = err;
    }

    RunSettings settings() {
        return settings;
    }

    Options options() {
        return options;
    }

    /** Prints one line of gulp's messages on stderr ("gulp: ..."). */
    void message(String text) {
        err.println("gulp: " + text);
    }

    /** The parts of a packet run that capture files and live capture share. */
    record PacketRun(PacketProcessing processing, int outputLinkType, RunControl control, Outputs.Output output,
                     PacketPath path, Runnable writer, Report report) {
    }

    /**
     * Builds the reader's path, the output and the writer for packets from {@code source}.
     *
     * @param interfaceName for live capture (the filter is compiled for it), else null
     */
    PacketRun assemble(Source source, String interfaceName, ByteRing ring, CaptureCounters counters)
            throws SetupException, IOException {
        PacketProcessing processing = PacketProcessing.create(settings, source.linkType(), source.savefileHeader(),
                interfaceName);
        int outputLinkType = options.decapsulate ? 1 : source.linkTypeField();
        RunControl control = Signals.attach(new RunControl());
        PcapRecordEncoder encoder = new PcapRecordEncoder(options.nanosecond, options.snaplen);
        Outputs.Output output;
        Runnable writer;
        RecordFraming framing = RecordFraming.pcap(options.nanosecond);
        if (options.kafkaBootstrap != null) { // kafka: the Kafka sink is the writer thread
            kafka = Outputs.kafka(settings, ring, framing, outputLinkType, counters, control, !source.waitsWhenFull(), err);
            output = new Outputs.Output(null, gulp.output.RotationPolicy.NEVER, null);
            Signals.onHangup(null);
            writer = kafka;
        } else {
            output = output(encoder.fileHeader(outputLinkType), control);
            writer = new Writer(ring, output.sink(), framing, output.policy(),
                    options.blockSize, options.parkMicros * 1000, counters, control);
        }
        PacketPath path = new PacketPath(ring.producer(), encoder, source.waitsWhenFull(), counters, control,
                options.parkMicros * 1000, options.countLimit);
        Report report = new Report(counters, ring.capacity(), interfaceName != null, false);
        report.addSection(source::appendSummary);
        if (kafka != null) {
            report.addSection(b -> b.append(counters.droppedKafka.get()).append(" records dropped (kafka)\n"));
        }
        return new PacketRun(processing, outputLinkType, control, output, path, writer, report);
    }

    /** The output for files starting with {@code fileHeader}; SIGHUP from now on does what it says. */
    Outputs.Output output(byte[] fileHeader, RunControl control) throws IOException, SetupException {
        Outputs.Output output = Outputs.create(settings, fileHeader, control);
        Signals.onHangup(output.hangup());
        return output;
    }

    /** The reader thread's work for a packet source: everything, then the end-of-input duties. */
    static Pipeline.ReaderBody readAll(Source source, PacketPath path) {
        return () -> {
            try {
                source.run(path);
            } finally {
                path.finish();
            }
        };
    }

    String outputDescription(Outputs.Output output, int linkType) {
        if (output.sink() == null && kafka != null) {
            return "sending to " + kafka.describe() + ", link type " + linkType;
        }
        return "writing " + output.sink().describe() + " (pcap, " + (options.nanosecond ? "nanoseconds" : "microseconds")
                + ", snaplen " + options.snaplen + ", link type " + linkType + ")";
    }

    /** Runs the reader and writer threads, set up for their roles, to the end. */
    Outcome runPipeline(ByteRing ring, Pipeline.ReaderBody reader, Runnable writer, RunControl control,
                        CaptureCounters counters, Report report) throws InterruptedException {
        Signals.onCounterRequest(() -> report.printFinal(err, ring.peakUsed()));
        Signals.ignoreRealtimeSignalsSoon();
        StatusTicker ticker = new StatusTicker(options, ring, counters, report, err);
        RoleRunner roles = new RoleRunner(settings.threads(), this::message);
        new Pipeline(ring, reader, writer, control, options.durationSeconds, ticker::tick, roles).run();
        report.printFinal(err, ring.peakUsed());
        if (control.internalError() != null) {
            return Outcome.failure(Outcome.Status.FAILED, control.internalError());
        }
        if (writer instanceof Writer files && lostWhileOutputStalled(files, counters)) {
            return Outcome.failure(Outcome.Status.OUTPUT_FAILED,
                    counters.droppedRingFull.get() + " packets were lost while the output could not be written");
        }
        if (control.writerError() != null) {
            return Outcome.failure(Outcome.Status.OUTPUT_FAILED, "writing the output failed: " + control.writerError());
        }
        if (control.readerError() != null) {
            return Outcome.failure(Outcome.Status.BAD_INPUT, control.readerError());
        }
        if (counters.droppedKafka.get() > 0) { // kafka: never a silent loss
            String why = kafka.lastFailure() == null ? "" : " (last error: " + kafka.lastFailure() + ")";
            return Outcome.failure(Outcome.Status.OUTPUT_FAILED,
                    counters.droppedKafka.get() + " packets could not be sent to Kafka" + why);
        }
        return Outcome.OK;
    }

    /** A full disk that came back still fails the run if the ring overflowed meanwhile. */
    private static boolean lostWhileOutputStalled(Writer writer, CaptureCounters counters) {
        return writer.sink().noSpaceEpisodes() > 0
                && counters.droppedRingFull.get() > 0;
    }

    /** The ring of {@code -r} MiB, if the memory available holds it. */
    ByteRing allocateRing(Arena arena) throws SetupException {
        long bytes = options.ringBytes();
        long available = RunSettings.availableMemory();
        if (available > 0 && bytes > available) {
            throw new SetupException(Outcome.Status.FAILED, "a ring of " + options.ringMiB
                    + " MiB does not fit in the memory available (" + (available >> 20) + " MiB); choose a smaller -r");
        }
        try {
            // Ring bytes follow a file header: shifted by its length, they keep O_DIRECT's alignment.
            return ByteRing.allocate(bytes, arena, options.opaqueCopy ? 0 : gulp.format.PcapFileHeader.LENGTH);
        } catch (OutOfMemoryError | IllegalArgumentException | IllegalStateException e) {
            throw new SetupException(Outcome.Status.FAILED, "cannot allocate a ring of " + options.ringMiB + " MiB: "
                    + e.getMessage());
        }
    }

    void startupLine(String input, String output, ByteRing ring) {
        if (!options.quiet) {
            long writes = Writer.effectiveBlockSize(options.blockSize, ring.capacity());
            message(input + "; " + output + "; ring " + (ring.capacity() >> 20) + " MiB, writes of " + writes + " bytes");
        }
    }
}
