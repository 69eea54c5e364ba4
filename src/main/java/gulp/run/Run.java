package gulp.run;

import gulp.linux.Libc;
import gulp.metrics.Watch;
import gulp.metrics.WatchException;

import java.io.PrintStream;

/**
 * Runs gulp for parsed options: concludes the settings once ({@link RunSettings#conclude}), then
 * assembles and runs a capture-file run, an opaque copy ({@code -c}) or a live capture.
 */
public final class Run {
    private Run() {
    }

    /**
     * @param err where gulp's messages go ("gulp: ..."), the start-up line and the counters; the
     *            outcome's line is left to the caller
     */
    public static Outcome execute(Options options, PrintStream err) throws InterruptedException {
        // The downcalls the run needs first are bound beside the checks below (see linkCaptureCalls).
        Runnable linkAhead = switch (options.mode()) {
            case LIVE -> Libc::linkCaptureCalls;
            case CAPTURE_FILES, OPAQUE_COPY -> {
                boolean files = options.outputDirectory != null;
                yield () -> Libc.linkFileRunCalls(files);
            }
            default -> null;
        };
        if (linkAhead != null) {
            Thread.ofPlatform().name("gulp-link").daemon().start(linkAhead);
        }
        RunSettings settings;
        try {
            settings = RunSettings.conclude(options);
            StartupTrace.mark("settings concluded");
        } catch (SetupException e) {
            return Outcome.failure(e.status(), e.getMessage());
        }
        UserSwitch user;
        try {
            user = UserSwitch.prepare(options);
        } catch (SetupException e) {
            return Outcome.failure(e.status(), e.getMessage());
        }
        // --metrics and --stats-json first: a port in use stops gulp before anything is opened.
        Watch watch;
        try {
            watch = options.metricsAddress == null && options.statsJson == null ? Watch.none()
                    : Watch.open(options.metricsAddress, options.statsJson, gulp.Version.NUMBER, err,
                    line -> err.println("gulp: " + line));
        } catch (WatchException e) {
            return Outcome.failure(e.isOutput() ? Outcome.Status.OUTPUT_FAILED : Outcome.Status.BAD_USAGE, e.getMessage());
        }
        StartupTrace.mark("user and watch prepared");
        try (watch) {
            RunAssembly assembly = new RunAssembly(settings, err, user, watch);
            if (options.kafkaConsumeBootstrap != null) { // gulp kafka-consume
                return KafkaConsumeRun.run(assembly);
            }
            return switch (options.mode()) {
                case OPAQUE_COPY -> OpaqueCopyRun.run(assembly);
                case CAPTURE_FILES -> FileRun.run(assembly);
                case LIVE -> options.fanout > 1 ? FanoutRun.run(assembly) : LiveRun.run(assembly);
                case EXTRACT -> ExtractRun.run(assembly);
                case INDEX -> ExtractRun.index(assembly);
            };
        }
    }
}
