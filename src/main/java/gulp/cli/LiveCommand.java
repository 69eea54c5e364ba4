package gulp.cli;

import java.io.PrintStream;

/** {@code gulp -i IFACE}: live capture from an interface. */
final class LiveCommand {
    private final Main main;
    private final PrintStream err;

    LiveCommand(Main main, PrintStream err) {
        this.main = main;
        this.err = err;
    }

    int run(Options options) {
        err.println("gulp: live capture is not available in this build yet; use -i - or --read FILE");
        return Main.EXIT_USAGE;
    }
}
