package gulp.run;

import gulp.linux.SignalDisposition;
import gulp.pipeline.RunControl;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * What each signal does to a run (the README's signal table). Nothing a signal does may reach
 * stdout, where the capture goes, and no signal may cost the packets already in the ring.
 * <ul>
 * <li>SIGINT and SIGTERM end the run cleanly: the reader stops, the writer drains the ring, the
 * output is closed on a record boundary and the counters are printed. (The original Gulp died on
 * SIGTERM with a cut record.) SIGHUP does the same when writing to stdout; with {@code -o} it
 * starts a new file instead (as netsniff-ng does), so log-rotation tools can use it.
 * <li>SIGUSR1 prints the counters on stderr and the run goes on (tcpdump's habit).
 * <li>SIGALRM, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGSTKFLT and SIGXCPU would kill gulp by
 * default; gulp has no timers or asynchronous I/O of its own, so whoever sends one wants the
 * process to end (SIGXCPU: the soft CPU limit, SIGKILL follows at the hard one; SIGPWR: power is
 * failing): they end the run cleanly, as SIGTERM does.
 * <li>The real-time signals (SIGRTMIN..SIGRTMAX) have no name in Java, so no Java handler; their
 * default would kill gulp, so they are ignored (sigaction(2), SIG_IGN) once the run starts;
 * SIGRTMAX-2 has the JDK's own handler, which does nothing but interrupt a blocking read.
 * <li>SIGQUIT belongs to the JVM, which refuses a handler for it: it prints a thread dump and the
 * run goes on (jcmd and jstack also use it to attach). The launcher sends that dump, and all other
 * JVM output, to stderr ({@code -XX:+DisplayVMOutputToStderr}, {@code -Xlog:all=warning:stderr});
 * {@code -Xrs}, the other way to silence it, would also stop Java from handling INT, TERM and HUP.
 * <li>SIGUSR2 is HotSpot's thread suspend/resume signal. Java would let a handler replace the
 * JVM's, which breaks the JVM, so it is left alone: the JVM ignores a stray one with a warning,
 * on stderr thanks to the launcher. (Moving the JVM's signal elsewhere with
 * {@code _JAVA_SR_SIGNUM} only moves the problem; tcpdump's use of USR2, flushing the output, is
 * moot for gulp, which never holds written data back more than 0.2 s.)
 * <li>SIGPIPE and SIGXFSZ are ignored by the JVM itself: the write fails (EPIPE, EFBIG) and gulp
 * reports a failed output (status 4). Fault signals (SEGV, BUS, FPE, ILL, TRAP, SYS, ABRT) and
 * job control (STOP, TSTP, TTIN, TTOU, CONT) keep their usual meaning.
 * </ul>
 * A signal other than INT and TERM that gulp inherited as ignored (nohup) stays ignored, and one
 * that already has a handler (a profiling agent's SIGPROF) keeps it.
 * <p>
 * The process installs the handlers first thing ({@code gulp.cli.Main}); they live here, beside
 * the run, because every one of them acts on a part of it (its {@link RunControl}, its rotation
 * policy, its counters), which the run's assembly attaches as it builds them.
 */
public final class Signals {
    /** Signals that end the run cleanly, besides INT, TERM and HUP. */
    private static final String[] STOPPING = {"ALRM", "VTALRM", "PROF", "IO", "PWR", "STKFLT", "XCPU"};

    private static volatile Runnable hangupAction;
    private static volatile RunControl run;
    private static volatile Runnable counterPrinter;

    private Signals() {
    }

    /** Makes SIGHUP run {@code action} instead of stopping the run. */
    static void onHangup(Runnable action) {
        hangupAction = action;
    }

    /**
     * Installs the handlers at start-up, before the run exists, so that no signal meets its
     * default in the meantime. Until {@link #attach} a stopping signal ends the process as the
     * JVM's default does (status 128 + the signal's number: nothing was captured yet, and the
     * start-up may be blocked reading the input's header), and SIGUSR1 has nothing to report.
     */
    public static void install() {
        SignalHandler stop = Signals::stop;
        SignalHandler hangup = received -> {
            Runnable action = hangupAction;
            if (action != null) {
                action.run();
            } else {
                stop(received);
            }
        };
        for (String name : new String[] {"INT", "TERM"}) {
            Signal signal = new Signal(name);
            if (handle(signal, stop) == SignalHandler.SIG_IGN) {
                // Inherited as ignored (a script's background job): take it anyway, as tcpdump
                // does. The JVM refuses a handler for an ignored INT or TERM, so reset it first.
                SignalDisposition.restoreDefault(signal.getNumber());
                handle(signal, stop);
            }
        }
        handle(new Signal("HUP"), hangup); // an ignored HUP stays ignored: that is what nohup asked for
        takeIfDefault("USR1", received -> {
            Runnable print = counterPrinter;
            if (print != null) {
                print.run();
            }
        });
        for (String name : STOPPING) {
            takeIfDefault(name, stop);
        }
    }

    /**
     * From now on stopping signals end {@code control}'s run cleanly (set once the input is open:
     * the run then starts, sees the stop at once, and ends with its counters).
     */
    static RunControl attach(RunControl control) {
        run = control;
        return control;
    }

    /** SIGUSR1 runs {@code printCounters} from now on. */
    static void onCounterRequest(Runnable printCounters) {
        counterPrinter = printCounters;
    }

    private static void stop(Signal received) {
        RunControl control = run;
        if (control != null) {
            control.requestStopBySignal(received.getName());
        } else {
            System.exit(128 + received.getNumber());
        }
    }

    /**
     * Ignores the real-time signals, on a thread of its own as the run starts: binding the native
     * call takes milliseconds (more when the JVM is cold), which start-up need not wait for.
     * SIGRTMAX-2 is skipped: the JDK installs its own handler there (sun.nio.ch.NativeThread, to
     * interrupt blocking reads), perhaps at the same moment, and must not find it ignored.
     */
    static void ignoreRealtimeSignalsSoon() {
        Thread.ofPlatform().name("gulp-signals").daemon().start(() -> {
            // glibc refuses the two it keeps for itself (32, 33): they stay as they are.
            for (int number = SignalDisposition.KERNEL_RTMIN; number <= SignalDisposition.KERNEL_RTMAX; number++) {
                if (number != SignalDisposition.KERNEL_RTMAX - 2) {
                    SignalDisposition.ignoreIfDefault(number);
                }
            }
        });
    }

    /** Installs {@code handler} only where the signal's action is the default; puts back anything else. */
    private static void takeIfDefault(String name, SignalHandler handler) {
        Signal signal;
        try {
            signal = new Signal(name);
        } catch (IllegalArgumentException e) {
            return; // not a signal on this system
        }
        SignalHandler previous = handle(signal, handler);
        if (previous != null && previous != SignalHandler.SIG_DFL) {
            handle(signal, previous);
        }
    }

    /** The handler that was there before, or null if the JVM refused. */
    private static SignalHandler handle(Signal signal, SignalHandler handler) {
        try {
            // For INT, TERM or HUP ignored at start the JVM keeps it ignored and says so: SIG_IGN.
            return Signal.handle(signal, handler);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
