package gulp.cli;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code -f} and {@code -d} on capture files, end to end, against tcpdump as the reference. */
class FilterAndDecapCommandTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "erspan.pcap|icmp",
            "erspan.pcap|ip proto 47 and greater 200",
            "vxlan-encapsulated-http.pcap|udp port 4789",
            "gre-sample.pcap|ip proto 47",
            "geneve.pcap|not udp",
    })
    void filterKeepsExactlyWhatTcpdumpKeeps(String file, String expression) throws Exception {
        Path input = PcapFiles.ZEEK.resolve(file);
        Path ours = dir.resolve("ours.pcap");
        GulpProcess.Result result = GulpProcess.run(input, ours, "-i", "-", "-f", expression);
        assertEquals(0, result.status(), result.stderr());
        String expected = Tools.check("tcpdump", "-nn", "-tt", "-r", input.toString(), expression);
        assertEquals(expected, Tools.check("tcpdump", "-nn", "-tt", "-r", ours.toString()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "vxlan-encapsulated-http.pcap|tcp port 80",
            "erspan.pcap|icmp[icmptype] = icmp-echoreply",
            "erspanII.pcap|icmp",
            "geneve.pcap|greater 90",
            "vxlan.pcap|arp",
    })
    void filterWithDecapsulationAppliesToTheInnerFrame(String file, String expression) throws Exception {
        Path input = PcapFiles.ZEEK.resolve(file);
        Path everything = dir.resolve("all.pcap");
        assertEquals(0, GulpProcess.run(input, everything, "-i", "-", "-d").status());
        Path filtered = dir.resolve("filtered.pcap");
        GulpProcess.Result result = GulpProcess.run(input, filtered, "-i", "-", "-d", "-f", expression);
        assertEquals(0, result.status(), result.stderr());
        String expected = Tools.check("tcpdump", "-nn", "-tt", "-r", everything.toString(), expression);
        assertEquals(expected, Tools.check("tcpdump", "-nn", "-tt", "-r", filtered.toString()));
        assertTrue(!expected.isEmpty(), "the corpus should keep something");
    }

    @Test
    void statusLineTwiceASecondShowsRingRecordsDropsAndUpstreamLoss() throws Exception {
        Process gulp = GulpProcess.builder("-i", "-", "-d", "-V", "x")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("err").toFile()).start();
        try (var in = gulp.getOutputStream()) {
            in.write(java.nio.file.Files.readAllBytes(PcapFiles.ZEEK.resolve("erspanII.pcap")));
            in.flush();
            // Input stays open: the run goes on idle until two status lines came (JVM start-up
            // under load can take most of a second, so wait for the lines, not for a fixed time).
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline && statusLines(java.nio.file.Files.readString(dir.resolve("err"))) < 2) {
                Thread.sleep(100);
            }
        }
        assertEquals(0, gulp.waitFor());
        String err = java.nio.file.Files.readString(dir.resolve("err"));
        assertTrue(statusLines(err) >= 2, err);
        assertTrue(err.lines().filter(l -> l.startsWith("ring ") && l.contains("(peak")).allMatch(l -> l.contains("records")
                && l.contains("drops: 0 ring full") && l.contains("pkt/s") && l.contains("missing upstream")), err);
    }

    private static long statusLines(String err) {
        return err.lines().filter(l -> l.startsWith("ring ") && l.contains("(peak")).count();
    }

    @Test
    void badFilterGivesLibpcapsMessage() throws Exception {
        GulpProcess.Result result = GulpProcess.run(PcapFiles.ZEEK.resolve("vxlan.pcap"), dir.resolve("o"),
                "-i", "-", "-f", "host and");
        assertEquals(Main.EXIT_USAGE, result.status());
        assertTrue(result.errorLine().contains("bad filter 'host and'"), result.stderr());
    }

    @Test
    void decapsulationOfALinkTypeWithoutIpIsRefusedNamingTheOnesItReads() throws Exception {
        PcapFiles.Capture wifi = new PcapFiles.Capture(false, false, 65535, 105, java.util.List.of());
        Path input = dir.resolve("wifi.pcap");
        java.nio.file.Files.write(input, PcapFiles.write(wifi));
        GulpProcess.Result result = GulpProcess.run(input, dir.resolve("o"), "-i", "-", "-d");
        assertEquals(Main.EXIT_INPUT, result.status());
        assertEquals("gulp: -d reads Ethernet (1), Linux cooked SLL (113) and SLL2 (276), raw IP (101, 228, 229);"
                + " this input has link type 105", result.errorLine(), result.stderr());
    }

    @Test
    void keepOtherOnCookedInputIsRefusedBecauseTheOutputIsEthernet() throws Exception {
        PcapFiles.Capture cooked = new PcapFiles.Capture(false, false, 65535, 276, java.util.List.of());
        Path input = dir.resolve("sll2.pcap");
        java.nio.file.Files.write(input, PcapFiles.write(cooked));
        GulpProcess.Result result = GulpProcess.run(input, dir.resolve("o"), "-i", "-", "-d", "--keep-other");
        assertEquals(Main.EXIT_INPUT, result.status());
        assertTrue(result.errorLine().contains("--keep-other needs Ethernet input"), result.stderr());
    }

    @Test
    void decapsulationCountersAndSessionReportAreShown() throws Exception {
        GulpProcess.Result result = GulpProcess.run(PcapFiles.ZEEK.resolve("erspanII.pcap"), dir.resolve("o.pcap"),
                "-i", "-", "-d");
        assertEquals(0, result.status());
        assertTrue(result.stderr().contains("session 100: 0 gaps, 0 packets missing upstream"), result.stderr());
        GulpProcess.Result plainGre = GulpProcess.run(PcapFiles.ZEEK.resolve("gre-sample.pcap"), dir.resolve("p.pcap"),
                "-i", "-", "-d");
        assertEquals(40, plainGre.counter("packets skipped by decapsulation"));
        assertEquals(0, PcapFiles.read(dir.resolve("p.pcap")).records().size());
    }

    @Test
    void decapsulationOptionsWithoutDashDAreRefused() throws Exception {
        GulpProcess.Result result = GulpProcess.run(PcapFiles.ZEEK.resolve("vxlan.pcap"), dir.resolve("o"),
                "-i", "-", "--vni", "5");
        assertEquals(Main.EXIT_USAGE, result.status(), result.stderr());
        assertTrue(result.errorLine().contains("--vni only applies with -d"), result.stderr());
    }

    @Test
    void badDecapOptionValuesAreUsageErrors() throws Exception {
        GulpProcess.Result result = GulpProcess.run(PcapFiles.ZEEK.resolve("vxlan.pcap"), dir.resolve("o"),
                "-i", "-", "-d", "--erspan-session", "5000");
        assertEquals(Main.EXIT_USAGE, result.status(), result.stderr());
        assertTrue(result.errorLine().contains("out of range"), result.stderr());
    }
}
