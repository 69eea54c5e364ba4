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
    private static final long TIMEOUT_SECONDS = 120;

    private Tools() {
    }

    /** Exit status (-1 when the program could not start or timed out, the reason in stderr) and output. */
    public record Output(int status, String stdout, String stderr) {
    }

    /** Runs to the end (at most two minutes); never throws, a failure is in the status. */
    public static Output run(String... command) {
        Process p;
        try {
            p = new ProcessBuilder(List.of(command)).start();
        } catch (IOException e) {
            return new Output(-1, "", e.toString());
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
                return new Output(-1, out, "timed out: " + String.join(" ", command));
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

    /** True when the tests may build namespaces and veth pairs (root with the ip and nft tools). */
    public static boolean canBuildTestBed() {
        return "root".equals(System.getProperty("user.name")) && run("ip", "netns", "list").status() == 0
                && run("nft", "--version").status() == 0;
    }
}
