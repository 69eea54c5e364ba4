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

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --metrics} during a live capture on a veth pair: the endpoint listens on the capture
 * namespace's loopback and is scraped there with curl while frames arrive; once they are all
 * written, the scrape, the last {@code --stats-json} line and the counters gulp prints at exit agree.
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
}
