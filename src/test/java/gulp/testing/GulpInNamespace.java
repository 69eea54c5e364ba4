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
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        if (runAs != null) {
            command.addAll(List.of("setpriv", "--reuid=" + runAs, "--regid=nogroup", "--clear-groups", "--inh-caps=-all"));
        }
        command.addAll(GulpProcess.command(args)); // the launcher's JVM flags
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        if (stdout != null) {
            builder.redirectOutput(stdout.toFile());
        }
        return new GulpInNamespace(builder.start(), stderr);
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

    public void signal(String name) throws IOException, InterruptedException {
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
