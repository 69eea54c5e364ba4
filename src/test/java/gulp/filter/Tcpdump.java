package gulp.filter;

import gulp.testing.PcapFiles;
import gulp.testing.Tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** tcpdump as the independent reference for filters: which frames its own filter keeps. */
final class Tcpdump {
    private Tcpdump() {}

    private static final Pattern FRAME_NUMBER = Pattern.compile("(?m)^(\\d+)\\.\\d+ ");

    /** The same frames with timestamp second = frame number (1, 2, ...), so tcpdump -tt output names them. */
    static List<PcapFiles.Frame> numbered(List<PcapFiles.Frame> frames) {
        List<PcapFiles.Frame> numbered = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            PcapFiles.Frame f = frames.get(i);
            numbered.add(new PcapFiles.Frame((i + 1) * 1_000_000_000L, f.wirelen(), f.data()));
        }
        return numbered;
    }

    /**
     * Timestamp seconds of the frames tcpdump's own filter keeps from {@code file}; files written by
     * {@link #numbered} number their frames 1, 2, ... in the timestamp seconds.
     */
    static TreeSet<Integer> matchingFrames(Path file, String expression) throws IOException {
        Tools.Output r = Tools.run("tcpdump", "-tt", "-n", "-q", "-r", file.toString(), expression);
        if (r.status() != 0) throw new IOException("tcpdump failed on " + file + " '" + expression + "': " + r.stderr());
        TreeSet<Integer> frames = new TreeSet<>();
        Matcher m = FRAME_NUMBER.matcher(r.stdout());
        while (m.find()) frames.add(Integer.parseInt(m.group(1)));
        return frames;
    }
}
