package gulp.metrics;

import gulp.testing.GulpProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --metrics} and {@code --stats-json} on capture-file input: gulp reads a real ERSPAN capture
 * from a pipe the test keeps open, the test scrapes the endpoint over HTTP once everything is
 * written, then closes the pipe; what the scrape and the JSON lines said must be the final counters.
 */
class MetricsCommandTest {
    private static final Path ERSPAN = Path.of("src/test/resources/captures/zeek/erspan.pcap");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path temp;

    /** gulp reading stdin from the test, stdout and stderr to files. */
    private record Running(Process process, Path stderr) {
        String stderrText() throws IOException {
            return Files.readString(stderr, StandardCharsets.UTF_8);
        }

        String awaitUrl() throws IOException, InterruptedException {
            long deadline = System.currentTimeMillis() + 30_000;
            while (System.currentTimeMillis() < deadline) {
                String url = Scrapes.url(stderrText());
                if (url != null) {
                    return url;
                }
                assertTrue(process.isAlive(), this::stderrOrReason);
                Thread.sleep(20);
            }
            throw new AssertionError("no metrics URL in the start-up line: " + stderrOrReason());
        }

        String stderrOrReason() {
            try {
                return stderrText();
            } catch (IOException e) {
                return e.toString();
            }
        }
    }

    private Running start(Path stdout, String... args) throws IOException {
        Path stderr = temp.resolve("stderr.txt");
        Process p = GulpProcess.builder(args).redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        return new Running(p, stderr);
    }

    private static String exposition(Map<String, Double> samples) {
        return String.join("\n", samples.keySet());
    }

    static String scrape(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** Scrapes until {@code key} reaches {@code expected} (the reader and writer are done with the input). */
    static Map<String, Double> scrapeUntil(String url, String key, long expected) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        Map<String, Double> samples;
        do {
            samples = Scrapes.samples(scrape(url));
            if (Scrapes.value(samples, key) == expected) {
                return samples;
            }
            Thread.sleep(50);
        } while (System.currentTimeMillis() < deadline);
        throw new AssertionError(key + " never reached " + expected + ": " + samples);
    }

    @Test
    void endpointScrapedDuringAFileRunAgreesWithTheFinalCountersAndPassesPromtool() throws Exception {
        Path out = temp.resolve("inner.pcap");
        Path json = temp.resolve("stats.jsonl");
        Running gulp = start(out, "-i", "-", "-d", "--metrics", "0", "--stats-json", json.toString());
        Map<String, Double> samples;
        try (OutputStream stdin = gulp.process().getOutputStream()) {
            stdin.write(Files.readAllBytes(ERSPAN)); // the start-up line follows the input's header
            stdin.flush();
            String url = gulp.awaitUrl();
            assertTrue(url.startsWith("http://127.0.0.1:"), url);
            samples = scrapeUntil(url, "gulp_written_records_total", 248);
            String exposition = scrape(url);
            Scrapes.assertPromtoolAccepts(exposition, temp);
            // Prometheus with native histograms asks for protobuf first: gulp (no protobuf) answers in text.
            HttpResponse<String> proto = HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Accept",
                    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,"
                            + "application/openmetrics-text;version=1.0.0;q=0.4,text/plain;version=0.0.4;q=0.3").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, proto.statusCode(), proto.body());
            assertTrue(proto.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                    proto.headers().toString());
            assertTrue(proto.body().endsWith("# EOF\n"), proto.body());
            for (String line : exposition.split("\n")) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    assertTrue(line.startsWith("gulp_"), line);
                }
            }
            samples = Scrapes.samples(exposition);
        }
        assertTrue(gulp.process().waitFor(60, TimeUnit.SECONDS), gulp.stderrOrReason());
        assertEquals(0, gulp.process().exitValue(), gulp.stderrOrReason());
        Map<String, Long> end = Scrapes.counters(gulp.stderrText());

        assertEquals(end.get("packets read"), Scrapes.value(samples, "gulp_read_packets_total"));
        assertEquals(end.get("records written"), Scrapes.value(samples, "gulp_written_records_total"));
        assertEquals(end.get("bytes written"), Scrapes.value(samples, "gulp_written_bytes_total"));
        assertEquals(Files.size(out) - 24, Scrapes.value(samples, "gulp_written_bytes_total"), "the file less its header");
        assertTrue(exposition(samples).contains("gulp_info{version=\"2.0.0\"}"));
        assertEquals(end.get("records written"), Scrapes.value(samples, "gulp_captured_packets_total{interface=\"stdin\"}"));
        assertEquals(end.get("records dropped (ring full)"),
                Scrapes.value(samples, "gulp_ring_full_dropped_packets_total{interface=\"stdin\"}"));
        assertEquals(end.get("GRE transparent Ethernet bridging"),
                Scrapes.value(samples, "gulp_decap_decapsulated_packets_total{kind=\"gre_teb\"}"));
        assertEquals(end.get("outer fragments held for reassembly"),
                Scrapes.value(samples, "gulp_decap_events_total{event=\"fragment_held\"}"));
        assertEquals(0, Scrapes.value(samples, "gulp_ring_used_bytes"));
        assertEquals(100L << 20, Scrapes.value(samples, "gulp_ring_capacity_bytes"));
        assertTrue(Scrapes.value(samples, "gulp_ring_peak_used_bytes") > 0);
        assertTrue(Scrapes.value(samples, "gulp_output_free_bytes") > 0, "stdout is a file: its file system");
        long start = Scrapes.value(samples, "gulp_start_time_seconds");
        assertTrue(Math.abs(start - System.currentTimeMillis() / 1000) < 600, "start time " + start);

        Map<String, Double> last = Scrapes.lastJsonObject(json);
        assertTrue(last.get("lines") >= 2, "a line per tick and a final one: " + last);
        assertEquals(1, last.get("finals"), "exactly one final line");
        assertEquals(1, last.get("monotonic"));
        assertEquals(end.get("packets read"), Math.round(last.get("gulp_read_packets_total")));
        assertEquals(end.get("records written"), Math.round(last.get("gulp_written_records_total")));
        assertEquals(end.get("bytes written"), Math.round(last.get("gulp_written_bytes_total")));
        assertEquals(end.get("records written"), Math.round(last.get("gulp_captured_packets_total/stdin")));
        assertEquals(end.get("GRE transparent Ethernet bridging"),
                Math.round(last.get("gulp_decap_decapsulated_packets_total/gre_teb")));
    }

    @Test
    void statsJsonToStderrGivesOneParsableObjectPerLineEndingWithTheFinalCounters() throws Exception {
        Path out = temp.resolve("out.pcap");
        Path stderr = temp.resolve("stderr.txt");
        Process p = GulpProcess.builder("--read", ERSPAN.toString(), "--stats-json", "-", "-q")
                .redirectOutput(out.toFile()).redirectError(stderr.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String text = Files.readString(stderr);
        assertEquals(0, p.exitValue(), text);
        Map<String, Double> last = Scrapes.lastJsonObject(stderr);
        assertEquals(1, last.get("finals"), text);
        Map<String, Long> end = Scrapes.counters(text);
        assertEquals(end.get("records written"), Math.round(last.get("gulp_written_records_total")), text);
        assertEquals(end.get("bytes written"), Math.round(last.get("gulp_written_bytes_total")), text);
        assertEquals(end.get("records written"), Math.round(last.get("gulp_captured_packets_total/file")), text);
        assertEquals(Files.size(out) - 24, Math.round(last.get("gulp_written_bytes_total")));
    }

    @Test
    void rotationShowsInTheFilesFinishedTheirLastTimeAndTheDirectorysFreeSpace() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("rotated"));
        Path json = temp.resolve("rotated.jsonl");
        long before = System.currentTimeMillis() / 1000;
        GulpProcess.Result r = GulpProcess.run(null, null, "--read", ERSPAN.toString(), "-o", dir.toString(),
                "--rotate-packets", "100", "--stats-json", json.toString());
        assertEquals(0, r.status(), r.stderr());
        long files;
        try (var list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".pcap")).count();
        }
        assertEquals(3, files, "287 records, 100 a file");
        Map<String, Double> last = Scrapes.lastJsonObject(json);
        assertEquals(files - 1, Math.round(last.get("gulp_files_finished_total")), "finished by rotation; the file open at exit is not counted");
        double finished = last.get("gulp_last_file_finished_time_seconds");
        assertTrue(finished >= before && finished <= System.currentTimeMillis() / 1000.0 + 1, "finished at " + finished);
        assertEquals(Files.getFileStore(dir).getUsableSpace(), last.get("gulp_output_free_bytes"), 64L << 20);
    }

    @Test
    void ipv6LoopbackIsServedWhenGivenInBrackets() throws Exception {
        boolean ipv6 = true;
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(InetAddress.ofLiteral("::1"), 0));
        } catch (IOException e) {
            ipv6 = false;
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(ipv6, "no IPv6 loopback here");
        Running gulp = start(temp.resolve("out.pcap"), "-i", "-", "--metrics", "[::1]:0");
        try (OutputStream stdin = gulp.process().getOutputStream()) {
            stdin.write(Files.readAllBytes(ERSPAN));
            stdin.flush();
            String url = gulp.awaitUrl();
            assertTrue(url.startsWith("http://[::1]:"), url);
            scrapeUntil(url, "gulp_written_records_total", 287);
        }
        assertTrue(gulp.process().waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, gulp.process().exitValue(), gulp.stderrOrReason());
    }

    /** One "gulp: ..." line (besides the usage hint), the status, and nothing written. */
    private void assertRefused(int status, String expected, String... args) throws Exception {
        Path outDir = Files.createDirectories(temp.resolve("out-" + System.nanoTime()));
        Path stdout = temp.resolve("stdout-" + System.nanoTime());
        String[] all = new String[args.length + 6];
        System.arraycopy(new String[] {"--read", ERSPAN.toString(), "-o", outDir.toString(), "-n", "x"}, 0, all, 0, 6);
        System.arraycopy(args, 0, all, 6, args.length);
        GulpProcess.Result r = GulpProcess.run(null, stdout, all);
        assertEquals(status, r.status(), r.stderr());
        String[] lines = r.stderr().lines().filter(l -> !l.startsWith("Try 'gulp --help'")).toArray(String[]::new);
        assertEquals(1, lines.length, r.stderr());
        assertTrue(lines[0].startsWith("gulp: ") && lines[0].contains(expected), r.stderr());
        try (var files = Files.list(outDir)) {
            assertEquals(0, files.count(), "nothing written into -o");
        }
        assertEquals(0, Files.size(stdout));
    }

    @Test
    void aPortInUseStopsGulpBeforeAnythingIsWritten() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0));
            assertRefused(2, "cannot listen on 127.0.0.1:" + taken.getLocalPort() + ": Address already in use",
                    "--metrics", Integer.toString(taken.getLocalPort()));
        }
    }

    @Test
    void anAddressNotOnThisMachineOrNotAnAddressIsRefused() throws Exception {
        assertRefused(2, "cannot listen on 192.0.2.1:9100", "--metrics", "192.0.2.1:9100");
        assertRefused(2, "is not an IP address", "--metrics", "capture-box.example:9100");
    }

    @Test
    void badPortsAreUsageErrors() throws Exception {
        assertRefused(2, "port must be between 0 and 65535", "--metrics", "65536");
        assertRefused(2, "--metrics takes [ADDR:]PORT", "--metrics", "abc");
        assertRefused(2, "--metrics takes [ADDR:]PORT", "--metrics", "127.0.0.1:");
    }

    @Test
    void aStatsFileThatCannotBeOpenedIsAnOutputError() throws Exception {
        assertRefused(4, "--stats-json: cannot open", "--stats-json", temp.resolve("no/such/dir/s.json").toString());
    }

    @Test
    void theMetricsOptionsAreInTheHelp() throws Exception {
        Process p = GulpProcess.builder("--help").redirectErrorStream(true).start();
        String help = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(help.contains("--metrics [ADDR:]PORT") && help.contains("--stats-json"), help);
        assertNotNull(help);
    }
}
