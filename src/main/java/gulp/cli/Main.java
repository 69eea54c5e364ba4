package gulp.cli;

import gulp.capture.CaptureFileSource;
import gulp.capture.InputException;
import gulp.capture.Source;
import gulp.linux.Terminal;
import gulp.format.PcapRecordEncoder;
import gulp.format.RecordFraming;
import gulp.pipeline.OpaqueCopier;
import gulp.pipeline.PacketPath;
import gulp.pipeline.Pipeline;
import gulp.pipeline.RunControl;
import gulp.pipeline.Writer;
import gulp.ring.ByteRing;
import gulp.stats.CaptureCounters;
import gulp.stats.Report;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code gulp} command. */
public final class Main {
    public static final String VERSION = "2.0.0";

    /** Exit statuses (documented in the README). */
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_INPUT = 3;
    public static final int EXIT_OUTPUT = 4;

    private final PrintStream err;

    private Main(PrintStream err) {
        this.err = err;
    }

    public static void main(String[] args) {
        int status;
        try {
            Signals.install();
            status = new Main(System.err).run(args);
        } catch (Throwable e) {
            System.err.println("gulp: internal error: " + e);
            status = EXIT_FAILURE;
        }
        System.exit(status);
    }

    int run(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (UsageException e) {
            message(e.getMessage());
            err.println("Try 'gulp --help' for more information.");
            return EXIT_USAGE;
        }
        if (options.showHelp) {
            System.out.print(Usage.TEXT);
            return EXIT_OK;
        }
        if (options.showVersion) {
            err.println("gulp " + VERSION + " (Java " + Runtime.version() + ")");
            return EXIT_OK;
        }
        if (options.outputDirectory == null && Terminal.isTerminal(1) && !options.opaqueCopy) {
            return fail(EXIT_USAGE, "refusing to write binary pcap data to a terminal;"
                    + " redirect it to a file, or pipe it into 'tcpdump -r -'");
        }
        return switch (options.mode()) {
            case OPAQUE_COPY -> runOpaqueCopy(options);
            case CAPTURE_FILES -> runCaptureFiles(options);
            case LIVE -> new LiveCommand(this).run(options);
        };
    }

    private int runCaptureFiles(Options options) throws InterruptedException {
        CaptureFileSource source;
        try {
            source = CaptureFileSource.open(options.inputNames());
        } catch (InputException e) {
            return fail(EXIT_INPUT, e.getMessage());
        } catch (IOException e) {
            return fail(EXIT_INPUT, "cannot read input: " + e.getMessage());
        }
        try (source; Arena arena = Arena.ofShared()) {
            ByteRing ring = allocateRing(options, arena);
            if (ring == null) {
                return EXIT_FAILURE;
            }
            CaptureCounters counters = new CaptureCounters();
            PacketRun run = assemble(options, source, ring, counters, false);
            String processed = run.processing().describe();
            startupLine(options, "reading " + source.describe() + (processed.isEmpty() ? "" : "; " + processed),
                    outputDescription(options, run.output(), run.outputLinkType()), ring);
            run.processing().install(run.path(), run.report());
            return runPipeline(options, ring, readAll(source, run.path()), run.writer(), run.control(), counters, run.report());
        } catch (SetupException e) {
            return fail(e.status(), e.getMessage());
        } catch (IOException e) {
            return fail(EXIT_OUTPUT, e.getMessage());
        }
    }

    /** Prints one line of gulp's messages on stderr ("gulp: ..."). */
    void message(String text) {
        err.println("gulp: " + text);
    }

    /** Prints {@code text} as the one-line error and returns the exit {@code status}. */
    int fail(int status, String text) {
        message(text);
        return status;
    }

    /** The parts of a packet run that capture files and live capture share. */
    record PacketRun(PacketProcessing processing, int outputLinkType, RunControl control, Outputs.Output output,
                     PacketPath path, Writer writer, Report report) {
    }

    /** Builds the reader's path, the output and the writer for packets from {@code source}. */
    PacketRun assemble(Options options, Source source, ByteRing ring, CaptureCounters counters, boolean live)
            throws SetupException, IOException {
        PacketProcessing processing = PacketProcessing.create(options, source.linkType(), source.savefileHeader());
        int outputLinkType = options.decapsulate ? 1 : source.linkTypeField();
        RunControl control = Signals.attach(new RunControl());
        PcapRecordEncoder encoder = new PcapRecordEncoder(options.nanosecond, options.snaplen);
        Outputs.Output output = Outputs.create(options, encoder.fileHeader(outputLinkType), control);
        PacketPath path = new PacketPath(ring.producer(), encoder, source.waitsWhenFull(), counters, control,
                options.parkMicros * 1000, options.countLimit);
        Writer writer = new Writer(ring, output.sink(), RecordFraming.pcap(options.nanosecond), output.policy(),
                options.blockSize, options.parkMicros * 1000, counters, control);
        Report report = new Report(counters, ring.capacity(), live, false);
        report.addSection(source::appendSummary);
        return new PacketRun(processing, outputLinkType, control, output, path, writer, report);
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

    String outputDescription(Options options, Outputs.Output output, int linkType) {
        return "writing " + output.sink().describe() + " (pcap, " + (options.nanosecond ? "nanoseconds" : "microseconds")
                + ", snaplen " + options.snaplen + ", link type " + linkType + ")";
    }

    private int runOpaqueCopy(Options options) throws InterruptedException {
        try (Arena arena = Arena.ofShared()) {
            ByteRing ring = allocateRing(options, arena);
            if (ring == null) {
                return EXIT_FAILURE;
            }
            CaptureCounters counters = new CaptureCounters();
            RunControl control = Signals.attach(new RunControl());
            var input = new FileInputStream(FileDescriptor.in).getChannel();
            OpaqueCopier copier = new OpaqueCopier(input, ring, counters, control, options.parkMicros * 1000);
            Outputs.Output output = Outputs.create(options, new byte[0], control);
            Writer writer = new Writer(ring, output.sink(), null, output.policy(),
                    options.blockSize, options.parkMicros * 1000, counters, control);
            Report report = new Report(counters, ring.capacity(), false, true);
            return runPipeline(options, ring, copier::run, writer, control, counters, report);
        } catch (SetupException e) {
            return fail(e.status(), e.getMessage());
        } catch (IOException e) {
            return fail(EXIT_OUTPUT, e.getMessage());
        }
    }

    int runPipeline(Options options, ByteRing ring, Pipeline.ReaderBody reader, Writer writer,
                            RunControl control, CaptureCounters counters, Report report) throws InterruptedException {
        Signals.onCounterRequest(() -> report.printFinal(err, ring.peakUsed()));
        Signals.ignoreRealtimeSignalsSoon();
        StatusTicker ticker = new StatusTicker(options, ring, counters, report, err);
        new Pipeline(ring, reader, writer, control, options.durationSeconds, ticker::tick).run();
        report.printFinal(err, ring.peakUsed());
        if (control.internalError() != null) {
            return fail(EXIT_FAILURE, control.internalError());
        }
        if (lostWhileOutputStalled(writer, counters)) {
            return fail(EXIT_OUTPUT, counters.droppedRingFull.get() + " packets were lost while the output could not be written");
        }
        if (control.writerError() != null) {
            return fail(EXIT_OUTPUT, "writing the output failed: " + control.writerError());
        }
        if (control.readerError() != null) {
            return fail(EXIT_INPUT, control.readerError());
        }
        return EXIT_OK;
    }

    /** A full disk that came back still fails the run if the ring overflowed meanwhile. */
    private static boolean lostWhileOutputStalled(Writer writer, CaptureCounters counters) {
        return writer.sink().noSpaceEpisodes() > 0
                && counters.droppedRingFull.get() > 0;
    }

    ByteRing allocateRing(Options options, Arena arena) {
        long bytes = options.ringBytes();
        long available = MemoryInfo.availableBytes();
        if (available > 0 && bytes > available) {
            message("a ring of " + options.ringMiB + " MiB does not fit in the memory available ("
                    + (available >> 20) + " MiB); choose a smaller -r");
            return null;
        }
        try {
            // Ring bytes follow a file header: shifted by its length, they keep O_DIRECT's alignment.
            return ByteRing.allocate(bytes, arena, options.opaqueCopy ? 0 : gulp.format.PcapFileHeader.LENGTH);
        } catch (OutOfMemoryError | IllegalArgumentException | IllegalStateException e) {
            message("cannot allocate a ring of " + options.ringMiB + " MiB: " + e.getMessage());
            return null;
        }
    }

    void startupLine(Options options, String input, String output, ByteRing ring) {
        if (!options.quiet) {
            long writes = Writer.effectiveBlockSize(options.blockSize, ring.capacity());
            message(input + "; " + output + "; ring " + (ring.capacity() >> 20) + " MiB, writes of " + writes + " bytes");
        }
    }

    /** MemAvailable from /proc/meminfo, or -1 if unknown. */
    static final class MemoryInfo {
        static long availableBytes() {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                    if (line.startsWith("MemAvailable:")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                return -1;
            }
            return -1;
        }
    }
}
