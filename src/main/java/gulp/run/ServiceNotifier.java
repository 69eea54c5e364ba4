package gulp.run;

import gulp.linux.NativeException;
import gulp.linux.NotifySocket;
import gulp.pipeline.RunControl;
import gulp.ring.ByteRing;
import gulp.stats.CaptureCounters;

import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * systemd's {@code Type=notify} protocol, as sd_notify(3) speaks it, without libsystemd: when
 * {@code $NOTIFY_SOCKET} is set, {@code READY=1} once gulp is listening, a {@code STATUS=} line on
 * every status tick, {@code WATCHDOG=1} every half of {@code $WATCHDOG_USEC} (if
 * {@code $WATCHDOG_PID} is unset or gulp's) while the reader and the writer both make progress
 * ({@link Liveness}), and {@code STOPPING=1} on the way out. Without {@code $NOTIFY_SOCKET} it sends
 * nothing. A failure to send is one warning line; capture goes on. Main thread only, off the hot path.
 */
final class ServiceNotifier implements AutoCloseable {
    /** Sends nothing: no {@code $NOTIFY_SOCKET}. */
    static final ServiceNotifier NONE = new ServiceNotifier(null, 0, null);

    private final NotifySocket socket;
    private final long watchdogIntervalNanos;
    private final Consumer<String> warnings;
    private Liveness liveness;
    private long lastWatchdog;
    private boolean warned;
    private boolean stopping;
    private String stuck;

    private ServiceNotifier(NotifySocket socket, long watchdogIntervalNanos, Consumer<String> warnings) {
        this.socket = socket;
        this.watchdogIntervalNanos = watchdogIntervalNanos;
        this.warnings = warnings;
    }

    /**
     * From the environment systemd gives a {@code Type=notify} service. Connects now, so
     * messages still get through after {@code --user} has dropped root.
     *
     * @param pid      this process's id, for {@code $WATCHDOG_PID}
     * @param warnings one line (without "gulp: ") when the socket cannot be used
     */
    static ServiceNotifier fromEnvironment(Map<String, String> environment, long pid, Consumer<String> warnings) {
        String name = environment.get("NOTIFY_SOCKET");
        if (name == null || name.isEmpty()) {
            return NONE;
        }
        try {
            return new ServiceNotifier(NotifySocket.connect(name), watchdogInterval(environment, pid), warnings);
        } catch (NativeException | IllegalArgumentException e) {
            warnings.accept("warning: cannot tell systemd about this run through NOTIFY_SOCKET=" + name + " ("
                    + e.getMessage() + "); capture goes on");
            return NONE;
        }
    }

    /** Half of {@code $WATCHDOG_USEC} in nanoseconds, or 0 when there is no watchdog for this process. */
    static long watchdogInterval(Map<String, String> environment, long pid) {
        String usec = environment.get("WATCHDOG_USEC");
        String watchdogPid = environment.get("WATCHDOG_PID");
        try {
            if (usec == null || (watchdogPid != null && Long.parseLong(watchdogPid.trim()) != pid)) {
                return 0;
            }
            long micros = Long.parseLong(usec.trim());
            return micros > 0 ? micros * 1000 / 2 : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    boolean active() {
        return socket != null;
    }

    boolean watchdogEnabled() {
        return watchdogIntervalNanos > 0;
    }

    /** {@code READY=1} once the run is listening; {@code liveness} decides the watchdog from now on. */
    void ready(CaptureCounters counters, ByteRing ring, Liveness liveness) {
        if (socket != null) {
            ready(statusLine(counters, ring), liveness, System.nanoTime());
        }
    }

    /** The main thread's status tick: {@code STOPPING=1} once a stop is requested, else status and watchdog. */
    void tick(RunControl control, CaptureCounters counters, ByteRing ring) {
        if (socket == null || stopping) {
            return;
        }
        if (control.stopRequested()) {
            String why = control.stopReason() != null ? control.stopReason() : "the output failed";
            stopping("stopping (" + why + "): " + statusLine(counters, ring));
        } else {
            tick(statusLine(counters, ring), System.nanoTime());
        }
    }

    /** The run is over: {@code STOPPING=1} if not sent yet. */
    void finished(CaptureCounters counters, ByteRing ring) {
        if (socket != null) {
            stopping("stopped: " + statusLine(counters, ring));
        }
    }

    /** {@code READY=1} with a first status; from now on {@code liveness} decides the watchdog. */
    void ready(String status, Liveness liveness, long nowNanos) {
        this.liveness = liveness;
        this.lastWatchdog = nowNanos;
        send("READY=1\nSTATUS=" + status);
    }

    /** A status tick: the status line, and the watchdog's ping if it is due and both roles moved. */
    void tick(String status, long nowNanos) {
        if (socket == null || stopping) {
            return;
        }
        boolean due = watchdogIntervalNanos > 0 && liveness != null && nowNanos - lastWatchdog >= watchdogIntervalNanos;
        String stuckNow = stuck;
        if (due) {
            lastWatchdog = nowNanos;
            stuckNow = liveness.stuck();
            if (stuckNow != null && stuck == null) {
                warnings.accept("warning: the " + stuckNow + " made no progress for "
                        + watchdogIntervalNanos / 1_000_000 + " ms; not telling systemd's watchdog");
            }
            stuck = stuckNow;
        }
        String line = "STATUS=" + (stuckNow == null ? status : "stalled (" + stuckNow + "): " + status);
        send(due && stuckNow == null ? "WATCHDOG=1\n" + line : line);
    }

    /** {@code STOPPING=1}, once. */
    void stopping(String status) {
        if (socket == null || stopping) {
            return;
        }
        stopping = true;
        send("STOPPING=1\nSTATUS=" + status);
    }

    /** The short human line of {@code STATUS=}: records and bytes written, drops, ring use. */
    static String statusLine(CaptureCounters counters, ByteRing ring) {
        return String.format(Locale.ROOT, "%d records written (%.1f MB), %d dropped (ring full), %d dropped by the kernel,"
                        + "%s ring %.1f%%", counters.recordsWritten.get(), counters.bytesWritten.get() / 1e6,
                counters.droppedRingFull.get(), counters.kernelDropped.get(),
                counters.droppedKafka() > 0 ? " " + counters.droppedKafka() + " dropped (kafka)," : "",
                100.0 * ring.used() / ring.capacity());
    }

    private void send(String message) {
        if (socket == null) {
            return;
        }
        try {
            socket.send(message);
        } catch (NativeException e) {
            if (!warned) {
                warned = true;
                warnings.accept("warning: cannot notify systemd through " + socket.name() + " (" + e.getMessage()
                        + "); capture goes on");
            }
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            socket.close();
        }
    }
}
