package gulp.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Plays systemd's part of the notify protocol: a python3 process binds an AF_UNIX datagram socket
 * (a path, or an abstract name written {@code @name}) and prints each datagram it receives as one
 * line (newlines inside a datagram escaped as {@code \n}); the test reads them as they arrive.
 * It ends after {@code lifetimeSeconds} at the latest, and when closed.
 */
public final class NotifyReceiver implements AutoCloseable {
    private static final String SCRIPT = """
            import socket, sys, time
            name = sys.argv[1]
            address = '\\0' + name[1:] if name.startswith('@') else name
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.bind(address)
            if not name.startswith('@'):
                import os; os.chmod(address, 0o777)
            print('BOUND', flush=True)
            end = time.time() + float(sys.argv[2])
            while time.time() < end:
                s.settimeout(max(0.05, end - time.time()))
                try:
                    data = s.recv(65536)
                except socket.timeout:
                    break
                print(data.decode('utf-8', 'replace').replace('\\\\', '\\\\\\\\').replace('\\n', '\\\\n'), flush=True)
            """;

    private final Process process;
    private final String name;
    private final List<String> datagrams = new ArrayList<>();
    private final Thread collector;

    private NotifyReceiver(Process process, String name) throws IOException {
        this.process = process;
        this.name = name;
        BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String first = lines.readLine();
        if (!"BOUND".equals(first)) {
            process.destroyForcibly();
            throw new IOException("the notify receiver did not start: " + first + " "
                    + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        collector = Thread.ofPlatform().daemon().name("notify-receiver").start(() -> {
            try {
                for (String line; (line = lines.readLine()) != null; ) {
                    synchronized (datagrams) {
                        datagrams.add(line.replace("\\n", "\n").replace("\\\\", "\\"));
                        datagrams.notifyAll();
                    }
                }
            } catch (IOException ignored) {
                // the receiver ended
            }
        });
    }

    /** Binds {@code name} (a path, removed first, or {@code @abstract}) for at most {@code lifetimeSeconds}. */
    public static NotifyReceiver bind(String name, int lifetimeSeconds) throws IOException {
        if (!name.startsWith("@")) {
            Files.deleteIfExists(Path.of(name));
        }
        Process p = new ProcessBuilder("python3", "-c", SCRIPT, name, Integer.toString(lifetimeSeconds)).start();
        return new NotifyReceiver(p, name);
    }

    /** The value for {@code $NOTIFY_SOCKET}. */
    public String name() {
        return name;
    }

    /** Every datagram so far, in arrival order. */
    public List<String> datagrams() {
        synchronized (datagrams) {
            return List.copyOf(datagrams);
        }
    }

    /** Waits until a datagram matches (true), or the time runs out (false). */
    public boolean await(Predicate<String> match, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        synchronized (datagrams) {
            while (datagrams.stream().noneMatch(match)) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return false;
                }
                datagrams.wait(left);
            }
            return true;
        }
    }

    /** The number of datagrams that contain the assignment {@code line} (e.g. "WATCHDOG=1"). */
    public long count(String line) {
        return datagrams().stream().filter(d -> d.lines().anyMatch(line::equals)).count();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        process.waitFor(5, TimeUnit.SECONDS);
        process.destroyForcibly();
        collector.join(2000);
        if (!name.startsWith("@")) {
            Files.deleteIfExists(Path.of(name));
        }
    }
}
