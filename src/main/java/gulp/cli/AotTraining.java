package gulp.cli;

import gulp.decap.EthernetHeader;
import gulp.decap.Ipv4Header;
import gulp.decap.UdpHeader;
import gulp.run.Signals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The training run of the JDK AOT cache ({@code -XX:AOTCacheOutput}, made by bin/gulp after a
 * build and by bin/package): one JVM runs, when an interface is given, two short live captures on
 * it into {@code -o DIR} (with the index and without) of loopback traffic it sends itself; then,
 * in a directory of its own under the temp directory (removed at the end), a {@code --read} of a
 * tiny capture into {@code -o} (the writer and its index), a copy of that capture without an
 * index, {@code gulp index} of the directory (which indexes the copy), and last {@code gulp extract} of a one-minute window with a filter to stdout (a file: the O_DIRECT
 * path). So the cache holds the classes of the live path, of {@code --read} and of extraction (a
 * cache trained on {@code --read} alone leaves the whole live path, and the catalog and merge of
 * extraction, to be loaded from the jar). The run to stdout comes last because a run closes stdout
 * at its end. Not a user command.
 *
 * <pre>java -XX:AOTCacheOutput=gulp.aot -cp gulp.jar gulp.cli.AotTraining CAPTURE.pcap [IFACE DIR] &gt; FILE</pre>
 */
public final class AotTraining {
    /**
     * The live runs: bounded, with small rings (the classes are the same whatever their size), but
     * a ring of 64 MiB, the smallest that wraps early (at 16 MiB), so the traffic below takes the
     * reader's and the writer's paths past an early wrap. Two runs: {@code -o} with its index (the
     * writer shows the index every record) and without (the writer counts by the reader's marks,
     * as it does for {@code > file}).
     */
    static final List<List<String>> LIVE = List.of(
            List.of("--duration", "1", "-B", "16", "-r", "64"),
            List.of("--duration", "1", "-B", "16", "-r", "64", "--no-index"));
    /**
     * The loopback traffic of the live runs: at most this many datagrams (64-byte frames), in at
     * most {@link #TRAFFIC_NANOS}, and it ends when the last live run does.
     */
    private static final int TRAFFIC_DATAGRAMS = 2_000_000;
    private static final long TRAFFIC_NANOS = 6_000_000_000L;
    /** UDP payload of a 64-byte frame, the size the capture benchmark's CPU figures use. */
    private static final int PAYLOAD = 64 - EthernetHeader.LENGTH - Ipv4Header.MIN_LENGTH - UdpHeader.LENGTH;
    /**
     * The extraction: a one-minute window (the tiny capture's records are at the epoch) and a
     * filter, written with O_DIRECT (extraction writes buffered by default; {@code --direct-io}
     * trains the stdout-file O_DIRECT path that {@code gulp -i IF > file} takes).
     */
    static final List<String> EXTRACT = List.of("--from", "1970-01-01T00:00:00Z", "--to", "1970-01-01T00:01:00Z",
            "-f", "ip or not ip", "-r", "16", "--direct-io");

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
            Thread traffic = Thread.ofPlatform().name("gulp-aot-traffic").daemon().start(AotTraining::loopbackTraffic);
            for (List<String> options : LIVE) {
                List<String> live = new ArrayList<>(List.of("-i", args[1], "-o", args[2]));
                live.addAll(options);
                status = main.run(live.toArray(String[]::new));
                if (status != Main.EXIT_OK) {
                    break;
                }
            }
            traffic.interrupt();
            traffic.join();
        }
        if (status == Main.EXIT_OK) {
            status = extraction(main, Path.of(args[0]));
        }
        System.exit(status);
    }

    /**
     * Sends small UDP datagrams from 127.0.0.1 to a socket of its own on 127.0.0.1 that never reads
     * (a full buffer drops them), bounded in count and time: with a JDK AOT cache's method profiles
     * (JDK 25), the live capture's per-packet paths, the writer's count and the early wrap are then
     * compiled for traffic from the start instead of being compiled, thrown away and compiled again
     * in a real capture's first second. Loopback only (aot-train.sh runs it in a network namespace
     * of its own).
     */
    private static void loopbackTraffic() {
        try (DatagramChannel sink = DatagramChannel.open(); DatagramChannel source = DatagramChannel.open()) {
            sink.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0)); // IPv4: 64-byte frames
            SocketAddress to = sink.getLocalAddress();
            ByteBuffer payload = ByteBuffer.allocateDirect(PAYLOAD);
            long deadline = System.nanoTime() + TRAFFIC_NANOS;
            for (int i = 0; i < TRAFFIC_DATAGRAMS && !Thread.currentThread().isInterrupted(); i++) {
                if ((i & 1023) == 0 && System.nanoTime() > deadline) {
                    break;
                }
                payload.clear();
                source.send(payload, to);
            }
        } catch (IOException e) {
            // Interrupted (a closed channel) or no loopback: the cache is trained without traffic.
        }
    }

    /** The --read, index and extract runs over a directory of their own, removed afterwards. */
    private static int extraction(Main main, Path capture) throws InterruptedException {
        Path dir;
        try {
            dir = Files.createTempDirectory("gulp-aot-training");
        } catch (IOException e) {
            System.err.println("gulp.cli.AotTraining: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        try {
            int status = main.run(new String[] {"--read", capture.toString(), "-o", dir.toString(), "-r", "16"});
            if (status == Main.EXIT_OK) {
                Files.copy(capture, dir.resolve("foreign.pcap"));
                status = main.run(new String[] {"index", dir.toString()});
            }
            if (status == Main.EXIT_OK) {
                List<String> extract = new ArrayList<>(List.of("extract", dir.toString()));
                extract.addAll(EXTRACT);
                status = main.run(extract.toArray(String[]::new));
            }
            return status;
        } catch (IOException e) {
            System.err.println("gulp.cli.AotTraining: " + e.getMessage());
            return Main.EXIT_FAILURE;
        } finally {
            remove(dir);
        }
    }

    private static void remove(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("gulp.cli.AotTraining: could not remove " + dir + ": " + e.getMessage());
        }
    }
}
