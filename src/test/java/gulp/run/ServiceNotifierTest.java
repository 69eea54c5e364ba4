package gulp.run;

import gulp.stats.Counter;
import gulp.testing.NotifyReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The notify protocol as gulp speaks it, against a socket that plays systemd's part. */
class ServiceNotifierTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path temp;

    @Test
    void withoutNotifySocketNothingIsSent() {
        List<String> warnings = new ArrayList<>();
        ServiceNotifier notifier = ServiceNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "1000000"), 1, warnings::add);
        assertFalse(notifier.active());
        notifier.ready("x", null, 0);
        notifier.stopping("x");
        assertEquals(List.of(), warnings);
    }

    @Test
    void theWatchdogIntervalIsHalfOfWatchdogUsecAndOnlyForTheNamedPid() {
        assertEquals(SECOND, ServiceNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "2000000"), 42));
        assertEquals(SECOND, ServiceNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "2000000", "WATCHDOG_PID", "42"), 42));
        assertEquals(0, ServiceNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "2000000", "WATCHDOG_PID", "7"), 42));
        assertEquals(0, ServiceNotifier.watchdogInterval(Map.of(), 42));
        assertEquals(0, ServiceNotifier.watchdogInterval(Map.of("WATCHDOG_USEC", "soon"), 42));
    }

    @Test
    void aMissingSocketIsOneWarningAndNothingElse() {
        List<String> warnings = new ArrayList<>();
        ServiceNotifier notifier = ServiceNotifier.fromEnvironment(
                Map.of("NOTIFY_SOCKET", temp.resolve("gone").toString()), 1, warnings::add);
        assertFalse(notifier.active());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("NOTIFY_SOCKET") && warnings.get(0).contains("capture goes on"), warnings.get(0));
    }

    @Test
    void readyStatusWatchdogAndStoppingArriveInOrderAndTheWatchdogPausesWhileTheWriterIsStuck() throws Exception {
        Counter reader = new Counter();
        Counter writer = new Counter();
        List<String> warnings = new ArrayList<>();
        try (NotifyReceiver systemd = NotifyReceiver.bind(temp.resolve("notify").toString(), 60);
             ServiceNotifier notifier = ServiceNotifier.fromEnvironment(
                     Map.of("NOTIFY_SOCKET", systemd.name(), "WATCHDOG_USEC", "2000000"), 1, warnings::add)) {
            long t = 0;
            notifier.ready("0 records", new Liveness(new Counter[] {reader, writer}, new String[] {"reader", "writer"}), t);
            notifier.tick("still 0", t += SECOND / 2); // not due yet
            reader.increment();
            writer.increment();
            notifier.tick("1 record", t += SECOND / 2); // due, both moved: WATCHDOG
            reader.increment(); // the writer is stuck
            notifier.tick("1 record", t += SECOND);
            reader.increment();
            notifier.tick("1 record", t += SECOND);
            reader.increment();
            writer.increment(); // moving again
            notifier.tick("2 records", t += SECOND);
            notifier.stopping("stopping");
            notifier.tick("after", t + SECOND); // nothing after STOPPING
            assertTrue(systemd.await(d -> d.startsWith("STOPPING=1"), 10_000), systemd.datagrams().toString());
            Thread.sleep(300);
            List<String> got = systemd.datagrams();
            assertEquals(List.of("READY=1\nSTATUS=0 records", "STATUS=still 0", "WATCHDOG=1\nSTATUS=1 record",
                    "STATUS=stalled (writer): 1 record", "STATUS=stalled (writer): 1 record",
                    "WATCHDOG=1\nSTATUS=2 records", "STOPPING=1\nSTATUS=stopping"), got);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("the writer made no progress"), warnings.get(0));
        }
    }
}
