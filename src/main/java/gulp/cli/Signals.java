package gulp.cli;

import gulp.linux.SignalDisposition;
import gulp.pipeline.RunControl;
import sun.misc.Signal;
import sun.misc.SignalHandler;

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
            Signal signal = new Signal(name);
            if (!handle(signal, control) && !"HUP".equals(name)) {
                // INT or TERM inherited as ignored (a script's background job): take them anyway,
                // as tcpdump does. An ignored HUP stays ignored: that is what nohup asked for.
                SignalDisposition.restoreDefault(signal.getNumber());
                handle(signal, control);
            }
        }
    }

    private static boolean handle(Signal signal, RunControl control) {
        try {
            SignalHandler previous = Signal.handle(signal, received -> {
                Runnable hangup = hangupAction;
                if (hangup != null && "HUP".equals(received.getName())) {
                    hangup.run();
                } else {
                    control.requestStopBySignal(received.getName());
                }
            });
            // For a signal ignored at start the JVM keeps it ignored and says so: SIG_IGN.
            return previous != SignalHandler.SIG_IGN;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
