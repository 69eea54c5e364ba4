package gulp.cli;

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
import java.nio.file.Path;
import java.util.function.Consumer;

/** Builds the output of a run from the options: stdout, or rotating files with {@code -o}. */
final class Outputs {
    /** The sink and the policy that tells the writer when to start a new file. */
    record Output(Sink sink, RotationPolicy policy) {
    }

    /** With -o and no other rotation option, a new file after 10 ring sizes, as in the original. */
    static final long DEFAULT_RING_MULTIPLES = 10;

    private Outputs() {
    }

    /**
     * @param fileHeader the bytes every output file starts with (empty for {@code -c})
     * @param control    tells a sink waiting for disk space when the run is over
     * @throws IOException with a one-line message when the output cannot be set up
     */
    static Output create(Options options, byte[] fileHeader, RunControl control) throws IOException, SetupException {
        if (options.outputDirectory == null) {
            Signals.onHangup(null); // SIGHUP ends a run on stdout
            if (StdoutFileSink.stdoutIsRegularFile()) { // gulp ... > file: O_DIRECT as with -o
                Consumer<String> report = line -> System.err.println("gulp: " + line);
                return new Output(StdoutFileSink.open(fileHeader, options.directIo, report), RotationPolicy.NEVER);
            }
            StreamSink stdout = new StreamSink(new FileOutputStream(FileDescriptor.out).getChannel(), "stdout", fileHeader);
            return new Output(stdout, RotationPolicy.NEVER);
        }
        return files(options, fileHeader, control, System.err);
    }

    /**
     * What the output lock is named after: the interface captured (for the default interface,
     * {@code LiveCommand} has put the one it chose into the options), "stdin", or "read" for files.
     */
    static String lockSource(Options options) {
        return switch (options.mode()) {
            case OPAQUE_COPY -> "stdin";
            case CAPTURE_FILES -> options.readFiles.isEmpty() ? "stdin" : "read";
            case LIVE -> java.util.Objects.requireNonNull(options.interfaceName, "the interface of a live capture");
        };
    }

    static Output files(Options options, byte[] fileHeader, RunControl control, PrintStream err)
            throws IOException, SetupException {
        Consumer<String> report = line -> err.println("gulp: " + line);
        Path directory = Path.of(options.outputDirectory);
        boolean opaque = fileHeader.length == 0;
        FileNamer namer;
        try { // a bad -n or --name-template is a usage error, found before anything is touched
            namer = FileNamer.of(options.namePrefix, options.timestampNames, options.nameTemplate, options.maxFiles);
        } catch (OutputException e) {
            throw new SetupException(Main.EXIT_USAGE, e.getMessage());
        }
        OutputLock lock = null;
        if (java.nio.file.Files.isDirectory(directory)) {
            lock = OutputLock.acquire(directory, lockSource(options), options.exclusiveLock, options.ignoreLock, report);
        }
        try {
            PostRotateCommand postRotate = options.postRotateCommand == null ? null
                    : new PostRotateCommand(options.postRotateCommand, directory, report);
            var settings = new RotatingFileSink.Settings(
                    new RotatingFileSink.Destination(directory, namer, options.fileMode), fileHeader,
                    new RotatingFileSink.Durability(options.fsync, options.directIo),
                    new RotatingFileSink.Retention(options.maxFiles, options.maxTotalBytes, options.minFreeBytes,
                            options.minFreeFraction),
                    postRotate, control::stopRequested, report);
            RotatingFileSink sink = RotatingFileSink.open(settings);
            sink.holdUntilClosed(lock);
            if (opaque) {
                return new Output(sink, RotationPolicy.NEVER);
            }
            long maxBytes = options.rotateBytes;
            long ringMultiples = options.rotateRingMultiples;
            if (ringMultiples == 0 && maxBytes == 0 && options.rotatePackets == 0 && options.rotateSeconds == 0) {
                ringMultiples = DEFAULT_RING_MULTIPLES; // the original's default: -C 10
            }
            if (ringMultiples > 0) {
                long ringMultiple = ringMultiples * options.ringBytes();
                maxBytes = maxBytes > 0 ? Math.min(maxBytes, ringMultiple) : ringMultiple;
            }
            FileRotationPolicy policy = new FileRotationPolicy(maxBytes, options.rotatePackets,
                    options.rotateSeconds * Timestamps.NANOS_PER_SECOND, options.rotateByPacketTime, fileHeader.length,
                    FileRotationPolicy::systemWallClockNanos);
            Signals.onHangup(policy::requestRotation);
            return new Output(sink, policy);
        } catch (IOException | RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            throw e;
        }
    }
}
