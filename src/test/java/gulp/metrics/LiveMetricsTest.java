package gulp.metrics;

import gulp.testing.Frames;
import gulp.testing.GulpInNamespace;
import gulp.testing.NamespaceSender;
import gulp.testing.Tools;
import gulp.testing.VethPair;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --metrics} during a live capture on a veth pair: the endpoint listens on the capture
 * namespace's loopback and is scraped there with curl while frames arrive; once they are all
 * written, the scrape, the last {@code --stats-json} line and the counters gulp prints at exit agree.
 * With the writer stalled (nobody reads its stdout pipe) the kernel ring gauge shows the kernel
 * ring filling, and emptying again once the pipe is read.
 */
class LiveMetricsTest {
    @RegisterExtension
    static final VethPair bed = VethPair.testBed();

    @TempDir
    Path temp;

    @BeforeAll
    static void loopbackUp() {
        Tools.check("ip", "-n", bed.captureNamespace, "link", "set", "lo", "up");
    }

    private static String scrape(String url) {
        return Tools.check("ip", "netns", "exec", bed.captureNamespace, "curl", "-sS", "--fail", "--max-time", "10", url);
    }

    @Test
    void endpointScrapedDuringALiveRunAgreesWithTheFinalCountersAndPassesPromtool() throws Exception {
        int count = 3000;
        String iface = "{interface=\"" + bed.captureInterface + "\"}";
        Path json = temp.resolve("stats.jsonl");
        long rxBefore = bed.captureStatistic("rx_packets");
        try (GulpInNamespace gulp = GulpInNamespace.capture(bed, temp.resolve("live.pcap"), temp.resolve("stderr.txt"),
                "--metrics", "0", "--stats-json", json.toString())) {
            String url = Scrapes.url(gulp.stderrText());
            assertNotNull(url, gulp.stderrOrReason());
            long sent = NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, count,
                    i -> Frames.numbered(i, 100, 9), 20_000, new AtomicLong()).get(90, TimeUnit.SECONDS);
            assertEquals(count, sent);
            long delivered = bed.captureStatistic("rx_packets") - rxBefore;
            Map<String, Double> samples = Map.of();
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) { // until written and the kernel's figures caught up
                samples = Scrapes.samples(scrape(url));
                if (Scrapes.value(samples, "gulp_written_records_total") == delivered
                        && Scrapes.value(samples, "gulp_kernel_received_packets_total" + iface) == delivered) {
                    break;
                }
                Thread.sleep(100);
            }
            String exposition = scrape(url);
            Scrapes.assertPromtoolAccepts(exposition, temp);
            samples = Scrapes.samples(exposition);
            gulp.stopAfterDrain();
            Map<String, Long> end = Scrapes.counters(gulp.stderrText());

            assertEquals(delivered, end.get("packets received by the kernel"), gulp.stderrOrReason());
            assertEquals(end.get("packets received by the kernel"),
                    Scrapes.value(samples, "gulp_kernel_received_packets_total" + iface), exposition);
            assertEquals(end.get("packets dropped by the kernel"),
                    Scrapes.value(samples, "gulp_kernel_dropped_packets_total" + iface));
            assertEquals(end.get("packets dropped by the interface"),
                    Scrapes.value(samples, "gulp_interface_dropped_packets_total" + iface));
            assertEquals(end.get("records dropped (ring full)"),
                    Scrapes.value(samples, "gulp_ring_full_dropped_packets_total" + iface));
            assertEquals(end.get("packets captured"), Scrapes.value(samples, "gulp_read_packets_total"));
            assertEquals(end.get("records written"), Scrapes.value(samples, "gulp_captured_packets_total" + iface));
            assertEquals(end.get("records written"), Scrapes.value(samples, "gulp_written_records_total"));
            assertEquals(end.get("bytes written"), Scrapes.value(samples, "gulp_written_bytes_total"));
            assertEquals(0, Scrapes.value(samples, "gulp_filter_rejected_packets_total" + iface));

            Map<String, Double> last = Scrapes.lastJsonObject(json);
            assertEquals(1, last.get("finals"));
            assertEquals(end.get("packets received by the kernel"),
                    Math.round(last.get("gulp_kernel_received_packets_total/" + bed.captureInterface)));
            assertEquals(end.get("records written"), Math.round(last.get("gulp_written_records_total")));
            assertEquals(end.get("bytes written"), Math.round(last.get("gulp_written_bytes_total")));
            assertTrue(last.get("lines") >= 2, last.toString());
        }
    }

    @Test
    void theKernelRingGaugeRisesWhileTheWriterIsStalledAndFallsBackOnceItWrites() throws Exception {
        String iface = "{interface=\"" + bed.captureInterface + "\"}";
        Path json = temp.resolve("stats.jsonl");
        try (GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, null, temp.resolve("stderr.txt"),
                "-i", bed.captureInterface, "-r", "1", "-z", "65536", "-B", "16", "--metrics", "0",
                "--stats-json", json.toString())) {
            assertTrue(gulp.awaitListening(20_000), gulp::stderrOrReason);
            String url = Scrapes.url(gulp.stderrText());
            assertNotNull(url, gulp.stderrOrReason());
            Map<String, Double> idle = Scrapes.samples(scrape(url));
            assertEquals(0, Scrapes.value(idle, "gulp_kernel_ring_used_bytes" + iface), idle.toString());
            assertEquals(16L << 20, Scrapes.value(idle, "gulp_kernel_ring_capacity_bytes" + iface), idle.toString());

            // About 32 MB while nobody reads the stdout pipe: more than gulp's 1 MiB ring, so the
            // reader holds the kernel's blocks and the 16 MiB kernel ring fills.
            NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, 40_000,
                    i -> Frames.numbered(i, Frames.mixedLength(i), 9), 0, new AtomicLong()).get(60, TimeUnit.SECONDS);
            String stalled = scrape(url);
            Scrapes.assertPromtoolAccepts(stalled, temp);
            Map<String, Double> full = Scrapes.samples(stalled);
            long used = Scrapes.value(full, "gulp_kernel_ring_used_bytes" + iface);
            assertTrue(used >= 4L << 20, "the stalled writer left the kernel ring filling: " + stalled);
            assertTrue(Scrapes.value(full, "gulp_kernel_ring_peak_used_bytes" + iface) >= used, stalled);
            assertTrue(Scrapes.value(full, "gulp_ring_used_bytes") > 0, stalled);

            InputStream stdout = gulp.stdout();
            Path out = temp.resolve("drained.pcap");
            CompletableFuture<Long> drain = CompletableFuture.supplyAsync(() -> {
                try {
                    return Files.copy(stdout, out);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Map<String, Double> after = Map.of();
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                after = Scrapes.samples(scrape(url));
                if (Scrapes.value(after, "gulp_kernel_ring_used_bytes" + iface) == 0) {
                    break;
                }
                Thread.sleep(100);
            }
            assertEquals(0, Scrapes.value(after, "gulp_kernel_ring_used_bytes" + iface), "the reader caught up: " + after);
            assertTrue(Scrapes.value(after, "gulp_kernel_ring_peak_used_bytes" + iface) >= used, after.toString());
            Thread.sleep(600); // one more --stats-json tick with the ring empty

            gulp.signal("INT");
            drain.get(60, TimeUnit.SECONDS);
            assertEquals(0, gulp.waitFor(30), gulp::stderrOrReason);
            Map<String, Double> last = Scrapes.lastJsonObject(json);
            assertEquals(0, Math.round(last.get("gulp_kernel_ring_used_bytes/" + bed.captureInterface)), last.toString());
            assertTrue(Math.round(last.get("gulp_kernel_ring_peak_used_bytes/" + bed.captureInterface)) >= used,
                    last.toString());
        }
    }
}
