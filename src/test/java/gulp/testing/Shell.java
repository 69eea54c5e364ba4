package gulp.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short system commands (ip, nft) for the test bed; fails loudly if they fail. */
public final class Shell {
    private Shell() {
    }

    /** Runs the command, waits up to 20 s, returns stdout+stderr; throws if the exit status is not 0. */
    public static String run(String... command) {
        Result result = tryRun(command);
        if (result.status != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + result.status + "): " + result.output);
        }
        return result.output;
    }

    public record Result(int status, String output) {
    }

    public static Result tryRun(String... command) {
        try {
            Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    /** True when the tests may build namespaces and veth pairs (root with the ip tool). */
    public static boolean canBuildTestBed() {
        return "root".equals(System.getProperty("user.name")) && tryRun("ip", "netns", "list").status == 0
                && tryRun("nft", "--version").status == 0;
    }
}
