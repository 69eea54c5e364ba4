package gulp.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the independent decoders (tcpdump, tshark, editcap) and returns what they print. */
public final class Tools {
    private Tools() {
    }

    public record Output(int status, String stdout, String stderr) {
    }

    public static Output run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).start();
        p.getOutputStream().close();
        var err = new java.io.ByteArrayOutputStream();
        Thread drain = Thread.ofVirtual().start(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (IOException ignored) {
                // process ended
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        drain.join();
        return new Output(p.exitValue(), out, err.toString(StandardCharsets.UTF_8));
    }

    /** Runs and insists on exit status 0. */
    public static String check(String... command) throws IOException, InterruptedException {
        Output o = run(command);
        if (o.status() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (" + o.status() + "): " + o.stderr());
        }
        return o.stdout();
    }
}
