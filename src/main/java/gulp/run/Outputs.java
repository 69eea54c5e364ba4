package gulp.run;

import gulp.format.FileEnvelope;
import gulp.format.Timestamps;

import gulp.output.FileNamer;
import gulp.output.FileRotationPolicy;
import gulp.output.OutputException;
import gulp.output.OutputLock;
import gulp.output.PostRotateCommand;
import gulp.output.RotatingFileSink;
import gulp.output.RotationPolicy;
import gulp.output.Sink;
import gulp.output.StdoutFileSink;
import gulp.output.StreamSink;
import gulp.pipeline.RunControl;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/** Builds the output of a run from its settings: stdout, or rotating files with {@code -o}. */
final class Outputs {
    /**
     * The sink, the policy that tells the writer when to start a new file, and what SIGHUP does
     * ({@code hangup}: a new file with {@code -o}; null: it ends the run).
     */
    record Output(Sink sink, RotationPolicy policy, Runnable hangup) {
    }

    private Outputs() {
    }

    /**
     * @param envelope   what every output file starts and ends with (an empty header for {@code -c})
     * @param control    tells a sink waiting for disk space when the run is over
     * @throws IOException with a one-line message when the output cannot be set up
     */
    static Output create(RunSettings settings, FileEnvelope envelope, RunControl control) throws IOException, SetupException {
        Options options = settings.options();
        if (options.outputDirectory == null) { // SIGHUP ends a run on stdout
            if (StdoutFileSink.stdoutIsRegularFile()) { // gulp ... > file: O_DIRECT as with -o
                Consumer<String> report = line -> System.err.println("gulp: " + line);
                return new Output(StdoutFileSink.open(envelope, settings.directIo(), report), RotationPolicy.NEVER, null);
            }
            StreamSink stdout = new StreamSink(new FileOutputStream(FileDescriptor.out).getChannel(), "stdout", envelope);
            return new Output(stdout, RotationPolicy.NEVER, null);
        }
        return files(settings, envelope, control, System.err);
    }

    /**
     * What the output lock is named after: the interface captured (the default one when none was
     * given), "stdin", or "read" for files.
     */
    static String lockSource(RunSettings settings) {
        Options options = settings.options();
        if (options.kafkaConsumeBootstrap != null) {
            return "kafka-" + options.consumeTopic;
        }
        return switch (options.mode()) {
            case OPAQUE_COPY -> "stdin";
            case CAPTURE_FILES -> options.readFiles.isEmpty() ? "stdin" : "read";
            case EXTRACT, INDEX -> "extract";
            case LIVE -> Objects.requireNonNull(settings.interfaceName(), "the interface of a live capture");
        };
    }

    /**
     * kafka: the sink of {@code --kafka}, which takes the writer thread's place.
     */
    static gulp.kafka.KafkaSink kafka(RunSettings settings, gulp.ring.ByteRing ring, gulp.format.RecordFraming framing,
                                      int linkType, gulp.stats.CaptureCounters counters, RunControl control,
                                      PrintStream err) throws SetupException {
        Options options = settings.options();
        String box = hostName();
        String clientId = options.kafkaClientId != null ? options.kafkaClientId : "gulp-" + box;
        org.apache.kafka.clients.producer.Producer<byte[], byte[]> producer;
        try {
            producer = gulp.kafka.KafkaSink.openProducer(
                    gulp.kafka.ProducerSettings.of(options.kafkaBootstrap, clientId, options.kafkaOptions));
        } catch (IllegalArgumentException e) {
            throw new SetupException(Outcome.Status.BAD_USAGE, "kafka: " + e.getMessage());
        }
        boolean live = settings.interfaceName() != null && options.mode() == Options.Mode.LIVE;
        var origin = new gulp.kafka.KafkaSink.Origin(box, live ? settings.interfaceName() : "file", linkType, live);
        return new gulp.kafka.KafkaSink(ring, framing, producer, options.kafkaTopic, options.kafkaBootstrap, origin,
                counters, control, Math.max(options.snaplen, 65535) + 64, settings.kafkaTimeout(),
                line -> err.println("gulp: " + line));
    }

    /** The capture box's name for the records' {@code box} header. */
    private static String hostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException ignored) {
            // fall through
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static Output files(RunSettings settings, FileEnvelope envelope, RunControl control, PrintStream err)
            throws IOException, SetupException {
        return files(settings, envelope, control, err, settings.options().namePrefix, true);
    }

    /**
     * The name prefix of pair {@code pair} of {@code --fanout}: {@code PREFIX-pK-} before the bare
     * sequence number ({@code pcap-p0-000001.pcap}), else {@code PREFIX-pK} ({@code -t}:
     * {@code pcap-p0_20261201-123456.789_000001.pcap}; a template places {@code %{name}} itself).
     */
    static String pairPrefix(Options options, int pair) {
        return options.namePrefix + "-p" + pair + (options.timestampNames || options.nameTemplate != null ? "" : "-");
    }

    /** How {@code -o} files of the run are named (the extension of {@code --format}). */
    static FileNamer fileNamer(Options options, String prefix) throws OutputException {
        return FileNamer.of(prefix, options.timestampNames, options.nameTemplate, options.maxFiles)
                .withExtension(options.pcapng ? FileNamer.PCAPNG_EXTENSION : FileNamer.EXTENSION);
    }

    /**
     * @param prefix   the file name prefix ({@code -n}, or a pair's: {@link #pairPrefix})
     * @param takeLock whether this output takes the directory's lock (one output of the run does)
     */
    static Output files(RunSettings settings, FileEnvelope envelope, RunControl control, PrintStream err, String prefix,
                        boolean takeLock) throws IOException, SetupException {
        Options options = settings.options();
        Consumer<String> report = line -> err.println("gulp: " + line);
        Path directory = Path.of(options.outputDirectory);
        int headerLength = envelope.header().length;
        boolean opaque = headerLength == 0;
        FileNamer namer;
        try { // a bad -n or --name-template is a usage error, found before anything is touched
            namer = fileNamer(options, prefix);
        } catch (OutputException e) {
            throw new SetupException(Outcome.Status.BAD_USAGE, e.getMessage());
        }
        OutputLock lock = null;
        if (takeLock && Files.isDirectory(directory)) {
            lock = OutputLock.acquire(directory, lockSource(settings), options.exclusiveLock, options.ignoreLock, report);
        }
        try {
            PostRotateCommand postRotate = options.postRotateCommand == null ? null
                    : new PostRotateCommand(options.postRotateCommand, directory, report);
            var sinkSettings = new RotatingFileSink.Settings(
                    new RotatingFileSink.Destination(directory, namer, options.fileMode), envelope,
                    new RotatingFileSink.Durability(options.fsync, settings.directIo()),
                    new RotatingFileSink.Retention(options.maxFiles, options.maxTotalBytes, options.minFreeBytes,
                            options.minFreeFraction),
                    postRotate, control::stopRequested, report);
            RotatingFileSink sink = RotatingFileSink.open(sinkSettings);
            sink.holdUntilClosed(lock);
            sink.expectFilesOf(settings.rotateBytes());
            if (opaque) {
                return new Output(sink, RotationPolicy.NEVER, null);
            }
            FileRotationPolicy policy = new FileRotationPolicy(settings.rotateBytes(), options.rotatePackets,
                    options.rotateSeconds * Timestamps.NANOS_PER_SECOND, options.rotateByPacketTime, headerLength,
                    FileRotationPolicy::systemWallClockNanos);
            return new Output(sink, policy, policy::requestRotation);
        } catch (IOException | RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
    }
}
