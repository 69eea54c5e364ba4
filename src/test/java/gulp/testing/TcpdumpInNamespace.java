package gulp.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tcpdump capturing live inside a test namespace ({@code ip netns exec NS tcpdump -i IFACE
 * --immediate-mode -B 32768 -U -w FILE ...}): the oracle for what a live capture with the same options
 * keeps. Immediate mode, because without it libpcap drops the packets of the kernel block that
 * was not yet retired when tcpdump is stopped; a 32 MiB buffer, because immediate mode gives each
 * packet a slot of the interface's MTU (64 KiB on loopback), and the default 2 MiB then holds
 * about 30 packets: tcpdump itself drops (seen: 8 of 40 on loopback).
 */
public final class TcpdumpInNamespace implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path stderr;

    private TcpdumpInNamespace(Process process, Path out, Path stderr) {
        this.process = process;
        this.out = out;
        this.stderr = stderr;
    }

    /** Starts tcpdump with {@code options} (e.g. "-Q", "in", or a filter expression last) and waits until it listens. */
    public static TcpdumpInNamespace start(String namespace, String interfaceName, Path out, Path stderr, String... options)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "tcpdump", "-i", interfaceName,
                "--immediate-mode", "-B", "32768", "-U", "-n", "-w", out.toString()));
        command.addAll(List.of(options));
        Process process = new ProcessBuilder(command).redirectError(stderr.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        TcpdumpInNamespace tcpdump = new TcpdumpInNamespace(process, out, stderr);
        long deadline = System.currentTimeMillis() + 20_000;
        while (!Files.readString(stderr).contains("listening on") && process.isAlive() && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(process.isAlive() && Files.readString(stderr).contains("listening on"),
                () -> "tcpdump did not start: " + tcpdump.stderrText());
        return tcpdump;
    }

    /**
     * Stops it with SIGINT once its file holds {@code records} records (or 5 s have passed:
     * tcpdump may be behind on a loaded machine, and on SIGINT it leaves what it has not read
     * yet), and asserts a clean exit.
     */
    public void stopAfter(long records) throws InterruptedException, IOException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (PcapFiles.visit(out, (s, f, c, w, d, o) -> { }).records() < records && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        stop();
    }

    /** Stops it with SIGINT and asserts a clean exit. */
    public void stop() throws InterruptedException {
        Tools.signal(process, "INT");
        boolean exited = process.waitFor(30, TimeUnit.SECONDS);
        assertTrue(exited, "tcpdump did not stop");
        assertEquals(0, process.exitValue(), this::stderrText);
    }

    private String stderrText() {
        try {
            return Files.readString(stderr);
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
