package gulp.cli;

import gulp.run.Signals;

import java.util.ArrayList;
import java.util.List;

/**
 * The training run of the JDK AOT cache ({@code -XX:AOTCacheOutput}, made by bin/gulp after a
 * build and by bin/package): one JVM runs, when an interface is given, a short live capture on
 * it into {@code -o DIR}, then gulp on a short {@code --read} of a tiny capture to stdout (a
 * file: the O_DIRECT path), so the cache holds the classes of both paths (a cache trained on
 * {@code --read} alone leaves the whole live path to be loaded from the jar). The live run comes
 * first because a run closes stdout at its end. Not a user command.
 *
 * <pre>java -XX:AOTCacheOutput=gulp.aot -cp gulp.jar gulp.cli.AotTraining CAPTURE.pcap [IFACE DIR] &gt; FILE</pre>
 */
public final class AotTraining {
    /** The live run: bounded, with small rings (the classes are the same whatever their size). */
    static final List<String> LIVE = List.of("--duration", "0.3", "-B", "16", "-r", "16");

    private AotTraining() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1 && args.length != 3) {
            System.err.println("usage: gulp.cli.AotTraining CAPTURE.pcap [IFACE DIR]");
            System.exit(Main.EXIT_USAGE);
        }
        Signals.install();
        Main main = new Main(System.err);
        int status = Main.EXIT_OK;
        if (args.length == 3) {
            List<String> live = new ArrayList<>(List.of("-i", args[1], "-o", args[2]));
            live.addAll(LIVE);
            status = main.run(live.toArray(String[]::new));
        }
        if (status == Main.EXIT_OK) {
            status = main.run(new String[] {"--read", args[0]});
        }
        System.exit(status);
    }
}
