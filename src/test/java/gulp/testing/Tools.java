package gulp.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The one way tests run external programs: the independent decoders (tcpdump, tshark, editcap) and
 * the test-bed tools (ip, nft, setpriv). stdin is closed; stdout and stderr are kept apart.
 */
public final class Tools {
    /** Status when the program could not be started (not installed), the reason in stderr. */
    public static final int NOT_STARTED = -1;
    /** Status when the program ran longer than {@link #TIMEOUT_SECONDS} and was killed. */
    public static final int TIMED_OUT = -2;
    /** Long enough for scapy to generate the decapsulation traffic on a busy machine. */
    public static final long TIMEOUT_SECONDS = 300;

    private Tools() {
    }

    /** Exit status (or {@link #NOT_STARTED}, {@link #TIMED_OUT}, -1 for an I/O failure) and output. */
    public record Output(int status, String stdout, String stderr) {
    }

    /** Runs to the end (at most {@link #TIMEOUT_SECONDS}); never throws, a failure is in the status. */
    public static Output run(String... command) {
        Process p;
        try {
            p = new ProcessBuilder(List.of(command)).start();
        } catch (IOException e) {
            return new Output(NOT_STARTED, "", e.toString());
        }
        try {
            p.getOutputStream().close();
            // stderr drains beside stdout so a chatty program cannot block on a full pipe
            var err = new ByteArrayOutputStream();
            Thread drain = Thread.ofVirtual().start(() -> {
                try {
                    p.getErrorStream().transferTo(err);
                } catch (IOException ignored) {
                    // the process ended
                }
            });
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Output(TIMED_OUT, out, "timed out: " + String.join(" ", command));
            }
            drain.join();
            return new Output(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            p.destroyForcibly();
            return new Output(-1, "", e.toString());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Output(-1, "", "interrupted");
        }
    }

    /** Runs and insists on exit status 0; returns stdout. */
    public static String check(String... command) {
        Output o = run(command);
        if (o.status() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (" + o.status() + "): " + o.stderr());
        }
        return o.stdout();
    }

    /** Sends signal {@code name} (INT, TERM, HUP, ...) to {@code process}. */
    public static void signal(Process process, String name) {
        check("kill", "-s", name, Long.toString(process.pid()));
    }

    /** True when the tests may build namespaces and veth pairs (root with the ip and nft tools). */
    public static boolean canBuildTestBed() {
        return "root".equals(System.getProperty("user.name")) && run("ip", "netns", "list").status() == 0
                && run("nft", "--version").status() == 0;
    }
}
