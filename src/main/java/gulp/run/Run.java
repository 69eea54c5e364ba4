package gulp.run;

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
        RunSettings settings;
        try {
            settings = RunSettings.conclude(options);
        } catch (SetupException e) {
            return Outcome.failure(e.status(), e.getMessage());
        }
        RunAssembly assembly = new RunAssembly(settings, err);
        if (options.kafkaConsumeBootstrap != null) { // kafka: gulp kafka-consume
            return KafkaConsumeRun.run(assembly);
        }
        return switch (options.mode()) {
            case OPAQUE_COPY -> OpaqueCopyRun.run(assembly);
            case CAPTURE_FILES -> FileRun.run(assembly);
            case LIVE -> LiveRun.run(assembly);
        };
    }
}
