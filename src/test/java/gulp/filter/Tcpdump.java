package gulp.filter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs the real tcpdump as the independent reference. */
final class Tcpdump {
    private Tcpdump() {}

    private static final Pattern FRAME_NUMBER = Pattern.compile("(?m)^(\\d+)\\.\\d{6} ");

    record Result(int exitCode, String stdout, String stderr) {}

    static Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("tcpdump");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("tcpdump timed out");
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /**
     * Timestamp seconds of the frames tcpdump's own filter keeps from {@code file}; files written by
     * {@link TestPcap#write} number their frames 1, 2, ... in the timestamp seconds.
     */
    static TreeSet<Integer> matchingFrames(Path file, String expression) throws IOException, InterruptedException {
        Result r = run("-tt", "-n", "-q", "-r", file.toString(), expression);
        if (r.exitCode() != 0) throw new IOException("tcpdump failed on " + file + " '" + expression + "': " + r.stderr());
        TreeSet<Integer> frames = new TreeSet<>();
        Matcher m = FRAME_NUMBER.matcher(r.stdout());
        while (m.find()) frames.add(Integer.parseInt(m.group(1)));
        return frames;
    }
}
