package gulp.cli;

import gulp.pipeline.RunControl;
import sun.misc.Signal;

/**
 * SIGINT, SIGTERM and SIGHUP end the run cleanly: the reader stops, the writer drains the ring,
 * the output is closed on a record boundary and the counters are printed. (The original Gulp died
 * on SIGTERM with a cut record.)
 */
final class Signals {
    private Signals() {
    }

    static void install(RunControl control) {
        for (String name : new String[] {"INT", "TERM", "HUP"}) {
            try {
                Signal.handle(new Signal(name), signal -> control.requestStopBySignal(signal.getName()));
            } catch (IllegalArgumentException e) {
                // Signal not available (e.g. HUP ignored by nohup): nothing to do.
            }
        }
    }
}
