package gulp.cli;

import gulp.pipeline.RunControl;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM end the run cleanly: the reader stops, the writer drains the ring, the output
 * is closed on a record boundary and the counters are printed. (The original Gulp died on SIGTERM
 * with a cut record.) SIGHUP does the same when writing to stdout; with {@code -o} it starts a new
 * file instead (as netsniff-ng does), so log-rotation tools can use it.
 */
final class Signals {
    private static volatile Runnable hangupAction;

    private Signals() {
    }

    /** Makes SIGHUP run {@code action} instead of stopping the run (set before {@link #install}). */
    static void onHangup(Runnable action) {
        hangupAction = action;
    }

    static void install(RunControl control) {
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            try {
                Signal.handle(new Signal(name), signal -> {
                    Runnable hangup = hangupAction;
                    if (hangup != null && "HUP".equals(signal.getName())) {
                        hangup.run();
                    } else {
                        control.requestStopBySignal(signal.getName());
                    }
                });
            } catch (IllegalArgumentException e) {
                // Signal not available (e.g. HUP ignored by nohup): nothing to do.
            }
        }
    }
}
