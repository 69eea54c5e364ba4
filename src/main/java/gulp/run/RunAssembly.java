package gulp.run;

import gulp.capture.Source;
import gulp.extract.LiveIndexer;
import gulp.format.CaptureInterface;
import gulp.format.FileEnvelope;
import gulp.format.LinkType;
import gulp.format.PcapFileHeader;
import gulp.format.PcapRecordEncoder;
import gulp.format.PcapngEnvelope;
import gulp.format.PcapngRecordEncoder;
import gulp.format.RecordEncoder;
import gulp.kafka.KafkaSink;
import gulp.linux.Libc;
import gulp.linux.NativeException;
import gulp.output.RotatingFileSink;
import gulp.output.RotationPolicy;
import gulp.output.Sink;
import gulp.pipeline.PacketPath;
import gulp.pipeline.Pipeline;
import gulp.pipeline.RoleRunner;
import gulp.pipeline.RunControl;
import gulp.pipeline.Writer;
import gulp.ring.ByteRing;
import gulp.stats.CaptureCounters;
import gulp.stats.Counter;
import gulp.stats.InterfaceFigures;
import gulp.stats.Report;
import gulp.decap.Decapsulator;
import gulp.metrics.RunFigures;
import gulp.metrics.Watch;
import gulp.output.StdoutFileSink;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;

/** The parts every kind of run is built from: the ring, the packet path, the output, the writer, running them. */
final class RunAssembly {
    private final RunSettings settings;
    private final Options options;
    private final PrintStream err;
    private final UserSwitch user;
    private ServiceNotifier notifier;
    private final Watch watch;
    /** The packet run {@link #assemble} built (null for {@code -c}): what the figures read. */
    private PacketRun packetRun;
    /** Per-interface figures of the source ({@link Source#interfaceFigures}); null: the run's totals as one interface. */
    private InterfaceFigures interfaceFigures;
    private boolean startupLinePrinted;
    private int blockSize; // the writer's -z: as given, or what its sink prefers (O_DIRECT: larger)
    private KafkaSink kafka; // the run's output when --kafka is given

    /** @param user {@code --user}, or null */
    RunAssembly(RunSettings settings, PrintStream err, UserSwitch user, Watch watch) {
        this.settings = settings;
        this.options = settings.options();
        this.blockSize = options.blockSize;
        this.err = err;
        this.user = user;
        this.watch = watch;
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
        return assemble(source, interfaceName, ring, counters, processing(source, interfaceName));
    }

    /** As {@link #assemble(Source, String, ByteRing, CaptureCounters)}, with the filter and decapsulation made already. */
    PacketRun assemble(Source source, String interfaceName, ByteRing ring, CaptureCounters counters,
                       PacketProcessing processing) throws SetupException, IOException {
        RunControl control = Signals.attach(new RunControl());
        return assemble(source, interfaceName, ring, counters, control, header -> output(header, control), processing);
    }

    /** The filter and decapsulation for packets from {@code source} (live: the filter compiled for {@code interfaceName}). */
    PacketProcessing processing(Source source, String interfaceName) throws SetupException {
        return PacketProcessing.create(settings, source.linkType(), source.savefileHeader(), interfaceName);
    }

    /** Makes the output for files in the given envelope (header and trailer). */
    @FunctionalInterface
    interface OutputMaker {
        Outputs.Output make(FileEnvelope envelope) throws IOException, SetupException;
    }

    /** As {@link #assemble(Source, String, ByteRing, CaptureCounters)}, with the run's control and output given. */
    PacketRun assemble(Source source, String interfaceName, ByteRing ring, CaptureCounters counters, RunControl control,
                       OutputMaker outputs) throws SetupException, IOException {
        return assemble(source, interfaceName, ring, counters, control, outputs, processing(source, interfaceName));
    }

    /** As {@link #assemble(Source, String, ByteRing, CaptureCounters, RunControl, OutputMaker)}, with the filter made already. */
    PacketRun assemble(Source source, String interfaceName, ByteRing ring, CaptureCounters counters,
                       RunControl control, OutputMaker outputs, PacketProcessing processing)
            throws SetupException, IOException {
        int outputLinkType = options.decapsulate ? LinkType.ETHERNET : source.linkTypeField();
        RecordEncoder encoder = encoder(options);
        PcapngEnvelope pcapng = !options.pcapng ? null
                : new PcapngEnvelope(OutputFormat.sectionHeader(), source.interfaceFigures() != null
                        ? source.interfaceFigures()
                        : InterfaceFigures.single(interfaceName != null ? interfaceName : "input", counters, interfaceName != null),
                        OutputFormat::wallClockNanos);
        FileEnvelope envelope = pcapng != null ? pcapng
                : FileEnvelope.fixed(new PcapRecordEncoder(options.nanosecond, options.snaplen).fileHeader(outputLinkType));
        PacketPath path = new PacketPath(ring.producer(), encoder, source.waitsWhenFull(), counters, control,
                options.parkMicros * 1000, options.countLimit);
        path.describeOutput(options.filter, options.decapsulate ? LinkType.ETHERNET : -1);
        if (pcapng != null && options.decapsulate) { // each mirror session its own interface
            path.declareMirrorSessions();
            pcapng.setSessions(path.sessionFigures());
        }
        // Interfaces are declared by the source: a live one at its start, files as they are read.
        Outputs.Output output;
        Runnable writer;
        if (options.kafkaBootstrap != null) { // the Kafka sink takes the writer thread's place
            kafka = Outputs.kafka(settings, ring, encoder.framing(), outputLinkType, counters, control, err);
            output = new Outputs.Output(null, RotationPolicy.NEVER, null);
            Signals.onHangup(null);
            writer = kafka;
            counters.outputIsKafka();
            path.watchOutputStall(kafka::refusing);
        } else {
            output = outputs.make(envelope);
            writer = fileWriter(ring, output, encoder, envelope, outputLinkType, counters, control);
            if (output.sink() != null) {
                path.watchOutputStall(output.sink()::stalled);
            }
        }
        Report report = new Report(counters, ring.capacity(), interfaceName != null, false);
        report.addSection(source::appendSummary);
        if (kafka != null) {
            KafkaSink sink = kafka;
            report.addSection(b -> b.append(counters.droppedKafka()).append(" records dropped (kafka)\n")
                    .append(counters.lostWhileStalled()).append(" records dropped (kafka, stalled)\n"));
            report.addStatus(() -> counters.droppedKafka() + " kafka drops"
                    + (counters.lostWhileStalled() > 0 ? " (" + counters.lostWhileStalled() + " while stalled)" : "")
                    + (sink.refusing() ? ", kafka not taking records" : ""));
        }
        interfaceFigures = source.interfaceFigures();
        packetRun = new PacketRun(processing, outputLinkType, control, output, path, writer, report);
        return packetRun;
    }

    /** The writer into files or stdout, with the extraction index beside {@code -o} files (issue 13). */
    private Writer fileWriter(ByteRing ring, Outputs.Output output, RecordEncoder encoder, FileEnvelope envelope,
                              int outputLinkType, CaptureCounters counters, RunControl control) {
        Writer writer = new Writer(ring, output.sink(), encoder.framing(), envelope, output.policy(),
                writeSize(output.sink()), options.parkMicros * 1000, counters, control);
        if (options.writeIndex && output.sink() instanceof RotatingFileSink files) {
            LiveIndexer indexer = new LiveIndexer(outputLinkType, encoder.framing(), options.pcapng, this::message); // own thread
            files.indexWith(indexer);
            writer.indexWith(indexer);
        }
        return writer;
    }

    /** The writer's write size into {@code sink} (see {@link Sink#writeSize}), kept for the start-up line. */
    int writeSize(Sink sink) {
        blockSize = Sink.writeSize(sink, options.blockSize, options.blockSizeGiven);
        return blockSize;
    }

    /** The record encoder of {@code --format}: classic pcap (the default) or pcapng. */
    static RecordEncoder encoder(Options options) {
        return options.pcapng ? new PcapngRecordEncoder(options.snaplen, OutputFormat.operatingSystem())
                : new PcapRecordEncoder(options.nanosecond, options.snaplen);
    }

    /** The output for files in {@code envelope}; SIGHUP from now on does what it says. */
    Outputs.Output output(FileEnvelope envelope, RunControl control) throws IOException, SetupException {
        Outputs.Output output = Outputs.create(settings, envelope, control);
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
        String format = options.pcapng ? "pcapng, nanoseconds"
                : "pcap, " + (options.nanosecond ? "nanoseconds" : "microseconds");
        return "writing " + output.sink().describe() + " (" + format + ", snaplen " + options.snaplen + ", link type " + linkType + ")";
    }

    /** Runs the reader and writer threads, set up for their roles, to the end. */
    Outcome runPipeline(ByteRing ring, Pipeline.ReaderBody reader, Runnable writer, RunControl control,
                        CaptureCounters counters, Report report) throws InterruptedException {
        return runPipelines(new Running(ring, counters, report, control, List.of(writer), watchedRoles(counters),
                () -> report.printFinal(err, ring.peakUsed()), List.of(), List.of(), List.of()), elapsed -> { },
                tick -> new Pipeline(ring, reader, writer, control, options.durationSeconds, tick,
                        new RoleRunner(settings.threads(), this::message)).run());
    }

    /**
     * What the main thread watches while pipelines run: the ring and counters the status line,
     * metrics and the service status show (with {@code --fanout}: the first pair's ring and the
     * pairs' totals), the writers, the roles the watchdog watches, the counter report, and with
     * {@code --fanout} each pair's counters, ring and sockets' figures (the metrics' {@code pair}
     * label; else empty).
     */
    record Running(ByteRing ring, CaptureCounters counters, Report report, RunControl control, List<Runnable> writers,
                   Liveness liveness, Runnable printReport, List<CaptureCounters> pairCounters, List<ByteRing> pairRings,
                   List<InterfaceFigures> pairSockets) {
    }

    /** Runs the pipelines to their end on the calling thread, which ticks for all of them. */
    @FunctionalInterface
    interface PipelineRunner {
        void run(Pipeline.Tick tick) throws InterruptedException;
    }

    /**
     * Runs pipelines to the end with the service, metrics and status line around them.
     *
     * @param beforeTick runs first on each tick (with {@code --fanout}: sums the pairs' counters)
     */
    Outcome runPipelines(Running running, Pipeline.Tick beforeTick, PipelineRunner runner) throws InterruptedException {
        ByteRing ring = running.ring();
        CaptureCounters counters = running.counters();
        RunControl control = running.control();
        try {
            beginService();
        } catch (SetupException e) {
            return Outcome.failure(e.status(), e.getMessage());
        }
        try (ServiceNotifier notifier = this.notifier) {
            Signals.onCounterRequest(running.printReport());
            Signals.ignoreRealtimeSignalsSoon();
            if (!watch.describe().isEmpty()) { // the figures (and their classes) only for --metrics, --stats-json
                RunFigures figures = new RunFigures(figureSources(ring, counters), System.currentTimeMillis());
                watch.expose(running.pairCounters().isEmpty() ? figures
                        : figures.withPairs(running.pairCounters(), running.pairRings(), running.pairSockets()));
            }
            if (!startupLinePrinted && !options.quiet && !watch.describe().isEmpty()) {
                message(watch.describe()); // -c has no start-up line; the URL (port 0) must still be told
            }
            StatusTicker ticker = new StatusTicker(options, ring, counters, running.report(), err, watch);
            notifier.ready(counters, ring, running.liveness());
            StartupTrace.mark("service told ready");
            Pipeline.Tick tick = elapsed -> {
                beforeTick.tick(elapsed);
                ticker.tick(elapsed);
                notifier.tick(control, counters, ring);
            };
            runner.run(tick);
            beforeTick.tick(0);
            notifier.finished(counters, ring);
        }
        running.printReport().run();
        watch.finish();
        if (control.internalError() != null) {
            return Outcome.failure(Outcome.Status.FAILED, control.internalError());
        }
        if (kafka == null && counters.lostWhileStalled() > 0) {
            return Outcome.failure(Outcome.Status.OUTPUT_FAILED,
                    counters.lostWhileStalled() + " packets were lost in a run whose output could not be written for a while"
                            + lossKinds(counters));
        }
        if (control.writerError() != null) {
            return Outcome.failure(Outcome.Status.OUTPUT_FAILED, "writing the output failed: " + control.writerError());
        }
        if (control.readerError() != null) {
            return Outcome.failure(Outcome.Status.BAD_INPUT, control.readerError());
        }
        if (counters.droppedKafka() > 0) { // never a silent loss
            String why = kafka.lastFailure() == null ? "" : " (last error: " + kafka.lastFailure() + ")";
            return Outcome.failure(Outcome.Status.OUTPUT_FAILED,
                    counters.droppedKafka() + " packets could not be sent to Kafka" + kafkaDropKinds(counters) + why);
        }
        return Outcome.OK;
    }

    /**
     * Once everything that needs privileges is open, before the start-up line: connects to
     * systemd's notify socket (still as root, so it works after the switch), then becomes the
     * {@code --user} user. Runs once.
     */
    private void beginService() throws SetupException {
        if (notifier != null) {
            return;
        }
        notifier = ServiceNotifier.fromEnvironment(System.getenv(), ProcessHandle.current().pid(), this::message);
        if (user != null) {
            user.become(settings.threads().raiseReader(), options.outputDirectory, this::info);
        }
    }

    /** The roles whose heartbeats the watchdog needs: the writer, and the reader of a live capture. */
    Liveness watchedRoles(CaptureCounters counters) {
        if (options.mode() == Options.Mode.LIVE) {
            return new Liveness(new Counter[] {counters.readerBeats, counters.writerBeats},
                    new String[] {"reader", "writer"});
        }
        // A reader waiting in read(2) for stdin is idle, not stuck: only the writer is watched.
        return new Liveness(new Counter[] {counters.writerBeats}, new String[] {"writer"});
    }

    /** An informational line, left out with -q. */
    void info(String text) {
        if (!options.quiet) {
            message(text);
        }
    }

    /** What {@code --metrics} and {@code --stats-json} read. */
    private RunFigures.Sources figureSources(ByteRing ring, CaptureCounters counters) {
        boolean live = options.mode() == Options.Mode.LIVE;
        InterfaceFigures interfaces = interfaceFigures;
        if (interfaces == null) {
            String name = switch (options.mode()) {
                case LIVE -> settings.interfaceName();
                case CAPTURE_FILES -> options.kafkaConsumeBootstrap != null ? "kafka"
                        : options.readFiles.isEmpty() ? "stdin" : "file";
                case OPAQUE_COPY -> "stdin";
                case EXTRACT, INDEX -> "extract";
            };
            interfaces = InterfaceFigures.single(name, counters, live);
        }
        Decapsulator decapsulator = packetRun == null ? null : packetRun.processing().decapsulator();
        return new RunFigures.Sources(counters, interfaces, ring, live,
                decapsulator == null ? null : decapsulator.counters(),
                decapsulator == null ? null : decapsulator.sequenceGaps(), outputFileSystem(),
                kafka == null ? null : kafka::refusing);
    }

    /** The file system whose free space {@code gulp_output_free_bytes} shows: of -o DIR, or of stdout's file. */
    private Path outputFileSystem() {
        if (options.outputDirectory != null) {
            return Path.of(options.outputDirectory);
        }
        if (StdoutFileSink.stdoutIsRegularFile()) {
            try {
                return Path.of("/proc/self/fd/1").toRealPath();
            } catch (IOException | RuntimeException e) {
                return null;
            }
        }
        return null;
    }

    /** With {@code --fanout}: the figures show the pairs' totals as the one interface they capture. */
    void interfaceFiguresFromTotals() {
        interfaceFigures = null;
    }

    /**
     * Where the packets lost while the output was stalled (a full disk that came back, a Kafka
     * producer refusing) were lost: gulp's ring full while the writer said it was stalled, and the
     * kernel's drops read while the reader held kernel blocks for it (the default). Only these count
     * for a stall's status 4: drops of a reader too slow for the traffic are not the output's.
     */
    private static String lossKinds(CaptureCounters counters) {
        return " (ring full " + counters.stalledRingFull.get() + ", kernel " + counters.stalledKernel.get() + ")";
    }

    /** The kafka drops by reason, as the report and the exit line say them. */
    private static String kafkaDropKinds(CaptureCounters counters) {
        return " (while Kafka could not take them: ring full " + counters.stalledRingFull.get() + ", kernel "
                + counters.stalledKernel.get() + "; undelivered " + counters.kafkaUndelivered.get() + "; unsent at stop "
                + counters.kafkaUnsent.get() + ")";
    }

    /**
     * The ring of {@code -r} MiB for a run whose reader waits for room (capture files, stdin,
     * {@code -c}), if the memory available holds it: mapped only, its pages faulted in by the
     * reader as it first writes them, whatever the output. Faulting all of it in first cost a file
     * run 0.07-0.13 s of the main thread before its first write (100 MiB) and the whole ring in
     * RSS for any input, a tiny one too; a fault-in thread ahead of the reader (as in live
     * capture) cost a tiny run more than the reader's own faults. {@code -o} once kept the
     * faulted-in ring on one quiet 4 GiB run that was 0.3 s slower without it; 15 quiet pairs
     * showed no difference (BENCHMARKS.md §3.2).
     */
    ByteRing allocateRing(Arena arena) throws SetupException {
        return allocateRing(arena, settings.ringBytes(), false);
    }

    /**
     * A ring of {@code bytes} (with {@code --fanout}, a pair's share), if the memory available
     * holds it: its first {@link ByteRing#MIRROR_BYTES} mapped again after its end
     * ({@link Libc#mapMirrored}: no record straddles the end), or where that fails or
     * {@code bytes} are not whole pages of at least that an anonymous mapping
     * ({@link Libc#mapAnonymous}); its pages the kernel faults in and zeroes once, so the
     * first burst takes no page faults; with {@code populate} false, later (a live capture's by
     * {@link RingFaultIn}, beside the capture; a file run's by its reader).
     */
    ByteRing allocateRing(Arena arena, long bytes, boolean populate) throws SetupException {
        checkRingFits(bytes);
        try {
            // Ring bytes follow a file header: shifted by its length, they keep O_DIRECT's alignment.
            int headerLength = options.opaqueCopy ? 0
                    : options.pcapng ? OutputFormat.sectionHeader().length : PcapFileHeader.LENGTH;
            Libc libc = Libc.current();
            long mirror = ByteRing.MIRROR_BYTES;
            if (Libc.canMapMirrored(bytes, mirror)) {
                try {
                    return ByteRing.overMirrored(libc.mapMirrored(bytes, mirror, populate, arena), bytes, mirror, arena,
                            headerLength);
                } catch (NativeException | IllegalStateException e) {
                    // refused (a seccomp profile without mremap), or not placed where asked: the plain ring works the same
                }
            }
            MemorySegment memory = libc.mapAnonymous(bytes + ByteRing.ALIGNMENT, populate, arena);
            return ByteRing.over(memory, bytes, arena, headerLength);
        } catch (NativeException | IllegalArgumentException | IllegalStateException e) {
            throw new SetupException(Outcome.Status.FAILED, "cannot allocate a ring of " + (bytes >> 20) + " MiB: "
                    + e.getMessage());
        }
    }

    /** Refuses a ring of {@code bytes} that the memory available cannot hold (checked before anything is opened). */
    void checkRingFits(long bytes) throws SetupException {
        long available = settings.availableMemory();
        if (available > 0 && bytes > available) {
            throw new SetupException(Outcome.Status.FAILED, "a ring of " + (bytes >> 20)
                    + " MiB does not fit in the memory available (" + (available >> 20) + " MiB); choose a smaller -r");
        }
    }

    /** The start-up line; first the switch to {@code --user} (which may refuse the run), see {@link #beginService}. */
    void startupLine(String input, String output, ByteRing ring) throws SetupException {
        beginService();
        startupLinePrinted = true;
        if (!options.quiet) {
            long writes = Writer.effectiveBlockSize(blockSize, ring.capacity());
            String watching = watch.describe();
            message(input + "; " + output + "; ring " + (ring.capacity() >> 20) + " MiB, writes of " + writes + " bytes"
                    + (watching.isEmpty() ? "" : "; " + watching));
        }
    }
}
