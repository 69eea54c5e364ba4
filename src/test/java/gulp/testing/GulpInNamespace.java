package gulp.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gulp} as a long-running subprocess inside a network namespace ({@code ip netns exec NS
 * java ... gulp.cli.Main ARGS}), optionally as another user, with stdout to a file (or a pipe) and
 * stderr to a file, so a test can wait for the start-up line and send signals.
 */
public final class GulpInNamespace implements AutoCloseable {
    private final Process process;
    private final Path stderr;

    private GulpInNamespace(Process process, Path stderr) {
        this.process = process;
        this.stderr = stderr;
    }

    /**
     * @param runAs a user to run as (through setpriv), or null
     * @param stdout the output file, or null to read stdout from {@link #stdout()}
     */
    public static GulpInNamespace start(String namespace, String runAs, Path stdout, Path stderr, String... args) throws IOException {
        List<String> prefix = runAs == null ? List.of()
                : List.of("setpriv", "--reuid=" + runAs, "--regid=nogroup", "--clear-groups", "--inh-caps=-all");
        return start(namespace, prefix, Map.of(), stdout, stderr, args);
    }

    /**
     * As {@link #start(String, String, Path, Path, String...)}, with {@code prefix} before the JVM
     * (e.g. setpriv with chosen capabilities) and {@code environment} added to the inherited one.
     */
    public static GulpInNamespace start(String namespace, List<String> prefix, Map<String, String> environment, Path stdout,
                                        Path stderr, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        command.addAll(prefix);
        command.addAll(GulpProcess.command(args)); // the launcher's JVM flags
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(environment);
        if (stdout != null) {
            builder.redirectOutput(stdout.toFile());
        }
        return new GulpInNamespace(builder.start(), stderr);
    }

    /**
     * gulp capturing on the capture end of {@code bed} ({@code -i} and {@code options}), stdout to
     * {@code out} (or a pipe when null); asserts that it starts listening within 20 s.
     */
    public static GulpInNamespace capture(VethPair bed, Path out, Path stderr, String... options) throws IOException, InterruptedException {
        String[] args = new String[options.length + 2];
        args[0] = "-i";
        args[1] = bed.captureInterface;
        System.arraycopy(options, 0, args, 2, options.length);
        GulpInNamespace gulp = start(bed.captureNamespace, null, out, stderr, args);
        try {
            assertTrue(gulp.awaitListening(20_000), () -> "gulp did not start: " + gulp.stderrOrReason());
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            gulp.close();
            throw e;
        }
        return gulp;
    }

    /** Lets the last frames arrive, stops gulp with SIGINT and asserts that it exits with status 0. */
    public void stopAfterDrain() throws InterruptedException {
        Thread.sleep(300);
        signal("INT");
        assertEquals(0, waitFor(30), this::stderrOrReason);
    }

    /** stderr so far, or why it cannot be read (for assertion messages). */
    public String stderrOrReason() {
        try {
            return stderrText();
        } catch (IOException e) {
            return e.toString();
        }
    }

    public java.io.InputStream stdout() {
        return process.getInputStream();
    }

    /** Waits until the start-up line appears; false if gulp exits or the time runs out. */
    public boolean awaitListening(long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (System.currentTimeMillis() < deadline) {
            if (stderrText().contains("listening on")) {
                return true;
            }
            if (!process.isAlive()) {
                return false;
            }
            Thread.sleep(20);
        }
        return false;
    }

    public void signal(String name) {
        Tools.signal(process, name);
    }

    /** Waits for the exit (up to {@code timeoutSeconds}, then kills) and returns the status. */
    public int waitFor(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
            return -1;
        }
        return process.exitValue();
    }

    public String stderrText() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /** The end-of-run counters: label to value, from the "N label" lines. */
    public Map<String, Long> counters() throws IOException {
        return GulpProcess.counters(stderrText());
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
