package gulp.cli;

import gulp.testing.Frames;
import gulp.testing.GulpInNamespace;
import gulp.testing.NamespaceSender;
import gulp.testing.PcapFiles;
import gulp.testing.TcpdumpInNamespace;
import gulp.testing.Tools;
import gulp.testing.VethPairs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Several interfaces in one run ({@code -i A,B}), {@code -i any} and {@code -D}, end to end on
 * two veth pairs between two namespaces of our own: frames from a Java AF_PACKET sender on each,
 * gulp as a subprocess in the capture namespace, the files read back independently and by tcpdump.
 */
class LiveSeveralInterfacesTest {
    private static final int SECOND_RANGE = 1_000_000;
    private static final int SLL2_LINKTYPE = 276;
    @RegisterExtension
    static final VethPairs bed = VethPairs.testBed();

    @TempDir
    Path temp;

    private GulpInNamespace start(Path out, String... args) throws Exception {
        GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, out, temp.resolve("gulp.err"), args);
        assertTrue(gulp.awaitListening(30_000), gulp::stderrOrReason);
        return gulp;
    }

    /** {@code count} numbered frames into capture interface {@code i}, numbered from {@code first}. */
    private static CompletableFuture<Long> send(int i, int first, int count, int port) {
        return NamespaceSender.send(bed.senderNamespace, bed.senderInterfaces[i], first, count,
                n -> Frames.numbered(n, Frames.mixedLength(n), port), 0, new AtomicLong());
    }

    /** The test frame sequence numbers in an Ethernet or SLL2 file, in file order, with each record's SLL2 interface index. */
    private static List<long[]> sequences(Path file) throws Exception {
        PcapFiles.Capture capture = PcapFiles.read(file);
        List<long[]> found = new ArrayList<>();
        for (PcapFiles.Record r : capture.records()) {
            byte[] frame = r.data();
            long ifindex = -1;
            if (capture.linkType() == SLL2_LINKTYPE) {
                ByteBuffer b = ByteBuffer.wrap(frame);
                ifindex = b.getInt(4);
                // As an Ethernet frame: the SLL2 protocol as EtherType in front of the network header.
                byte[] ethernet = new byte[frame.length - 6];
                ethernet[12] = frame[0];
                ethernet[13] = frame[1];
                System.arraycopy(frame, 20, ethernet, 14, frame.length - 20);
                frame = ethernet;
            }
            int sequence = Frames.sequenceOf(frame, 0, frame.length);
            if (sequence >= 0) {
                found.add(new long[] {sequence, ifindex});
            }
        }
        return found;
    }

    private static void assertEachOnce(List<long[]> sequences, int first, int count) {
        boolean[] seen = new boolean[count];
        for (long[] s : sequences) {
            if (s[0] >= first && s[0] < first + count) {
                assertFalse(seen[(int) (s[0] - first)], "frame " + s[0] + " twice");
                seen[(int) (s[0] - first)] = true;
            }
        }
        for (int i = 0; i < count; i++) {
            assertTrue(seen[i], "frame " + (first + i) + " missing");
        }
    }

    @Test
    void twoInterfacesCapturedAtOnceKeepEveryFrameOfEachOnceAndCountEachApart() throws Exception {
        int countA = 20_000;
        int countB = 12_000;
        Path out = temp.resolve("two.pcap");
        String a = bed.captureInterfaces[0];
        String b = bed.captureInterfaces[1];
        long rxA = bed.captureStatistic(0, "rx_packets");
        long rxB = bed.captureStatistic(1, "rx_packets");
        Map<String, Long> counters;
        try (GulpInNamespace gulp = start(out, "-i", a, "-i", b, "--nano")) {
            assertTrue(gulp.stderrText().contains("the interface of a packet is not recorded"), gulp::stderrOrReason);
            CompletableFuture<Long> sendingA = send(0, 0, countA, 9);
            CompletableFuture<Long> sendingB = send(1, SECOND_RANGE, countB, 9);
            assertEquals(countA, sendingA.get(90, TimeUnit.SECONDS));
            assertEquals(countB, sendingB.get(90, TimeUnit.SECONDS));
            gulp.stopAfterDrain();
            counters = gulp.counters();
        }
        List<long[]> sequences = sequences(out);
        assertEquals(countA + countB, sequences.size(), "test frames in the file");
        assertEachOnce(sequences, 0, countA);
        assertEachOnce(sequences, SECOND_RANGE, countB);
        long deliveredA = bed.captureStatistic(0, "rx_packets") - rxA;
        long deliveredB = bed.captureStatistic(1, "rx_packets") - rxB;
        assertEquals(countA, deliveredA);
        assertEquals(countB, deliveredB);
        assertEquals(deliveredA, counters.get("packets captured on " + a), counters::toString);
        assertEquals(deliveredB, counters.get("packets captured on " + b), counters::toString);
        assertEquals(deliveredA, counters.get("packets received by the kernel on " + a));
        assertEquals(deliveredB, counters.get("packets received by the kernel on " + b));
        assertEquals(deliveredA, counters.get("records stored on " + a));
        assertEquals(deliveredB, counters.get("records stored on " + b));
        assertEquals(0, counters.get("packets dropped by the kernel on " + a));
        assertEquals(deliveredA + deliveredB, counters.get("packets received by the kernel"));
        assertEquals(deliveredA + deliveredB, counters.get("records written"));
    }

    @Test
    void commaListCapturesBothAndPerInterfaceFramesComeFromTheirOwnSender() throws Exception {
        Path out = temp.resolve("comma.pcap");
        try (GulpInNamespace gulp = start(out, "-i", bed.captureInterfaces[0] + "," + bed.captureInterfaces[1])) {
            send(0, 0, 300, 9).get(30, TimeUnit.SECONDS);
            send(1, SECOND_RANGE, 200, 9).get(30, TimeUnit.SECONDS);
            gulp.stopAfterDrain();
            Map<String, Long> counters = gulp.counters();
            assertEquals(300, counters.get("packets captured on " + bed.captureInterfaces[0]), gulp::stderrOrReason);
            assertEquals(200, counters.get("packets captured on " + bed.captureInterfaces[1]), gulp::stderrOrReason);
        }
        List<long[]> sequences = sequences(out);
        assertEachOnce(sequences, 0, 300);
        assertEachOnce(sequences, SECOND_RANGE, 200);
    }

    @Test
    void anyCapturesBothVethsWithEachPacketsInterfaceInItsCookedHeader() throws Exception {
        Path out = temp.resolve("any.pcap");
        try (GulpInNamespace gulp = start(out, "-i", "any")) {
            assertTrue(gulp.stderrText().contains("link type 276"), gulp::stderrOrReason);
            send(0, 0, 300, 9).get(30, TimeUnit.SECONDS);
            send(1, SECOND_RANGE, 200, 9).get(30, TimeUnit.SECONDS);
            gulp.stopAfterDrain();
        }
        assertEquals(SLL2_LINKTYPE, PcapFiles.read(out).linkType());
        List<long[]> sequences = sequences(out);
        assertEquals(500, sequences.size());
        assertEachOnce(sequences, 0, 300);
        assertEachOnce(sequences, SECOND_RANGE, 200);
        int indexA = bed.captureIndex(0);
        int indexB = bed.captureIndex(1);
        for (long[] s : sequences) {
            assertEquals(s[0] < SECOND_RANGE ? indexA : indexB, s[1], "interface index of frame " + s[0]);
        }
        // tcpdump in that namespace names each packet's interface from the index.
        String decoded = Tools.check("ip", "netns", "exec", bed.captureNamespace, "tcpdump", "-nn", "-r", out.toString());
        assertEquals(300, decoded.lines().filter(l -> l.contains(" " + bed.captureInterfaces[0] + " ")).count(), decoded);
        assertEquals(200, decoded.lines().filter(l -> l.contains(" " + bed.captureInterfaces[1] + " ")).count(), decoded);
    }

    @Test
    void twoInterfacesIntoRotatingFilesKeepEveryFrameAndLockBothNames() throws Exception {
        Path directory = Files.createDirectory(temp.resolve("files"));
        String a = bed.captureInterfaces[0];
        String b = bed.captureInterfaces[1];
        try (GulpInNamespace gulp = start(null, "-i", a + "," + b, "-o", directory.toString(), "--rotate-packets", "100")) {
            assertTrue(Files.exists(directory.resolve(".gulp-" + a + "_" + b + ".lock")), gulp::stderrOrReason);
            send(0, 0, 250, 9).get(30, TimeUnit.SECONDS);
            send(1, SECOND_RANGE, 150, 9).get(30, TimeUnit.SECONDS);
            gulp.stopAfterDrain();
        }
        List<long[]> sequences = new ArrayList<>();
        try (var files = Files.list(directory)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".pcap")).sorted().toList()) {
                sequences.addAll(sequences(file));
            }
        }
        assertEquals(400, sequences.size());
        assertEachOnce(sequences, 0, 250);
        assertEachOnce(sequences, SECOND_RANGE, 150);
    }

    @Test
    void anyIntoRotatingFilesWritesCookedFiles() throws Exception {
        Path directory = Files.createDirectory(temp.resolve("any-files"));
        try (GulpInNamespace gulp = start(null, "-i", "any", "-o", directory.toString(), "--rotate-packets", "50")) {
            send(0, 0, 120, 9).get(30, TimeUnit.SECONDS);
            gulp.stopAfterDrain();
        }
        List<long[]> sequences = new ArrayList<>();
        try (var files = Files.list(directory)) {
            List<Path> pcaps = files.filter(f -> f.getFileName().toString().endsWith(".pcap")).sorted().toList();
            assertTrue(pcaps.size() >= 3, pcaps::toString);
            for (Path file : pcaps) {
                assertEquals(SLL2_LINKTYPE, PcapFiles.read(file).linkType());
                sequences.addAll(sequences(file));
            }
        }
        assertEquals(120, sequences.size());
        assertEachOnce(sequences, 0, 120);
    }

    @Test
    void anyWithAFilterFiltersInTheKernelOnTheCookedSocket() throws Exception {
        Path out = temp.resolve("any-filter.pcap");
        Map<String, Long> counters;
        try (GulpInNamespace gulp = start(out, "-i", "any", "-f", "udp port 9 and inbound")) {
            assertTrue(gulp.stderrText().contains("(in the kernel)"), gulp::stderrOrReason);
            send(0, 0, 100, 9).get(30, TimeUnit.SECONDS);
            send(1, SECOND_RANGE, 100, 10).get(30, TimeUnit.SECONDS);
            gulp.stopAfterDrain();
            counters = gulp.counters();
        }
        List<long[]> sequences = sequences(out);
        assertEquals(100, sequences.size());
        assertEachOnce(sequences, 0, 100);
        assertEquals(100, counters.get("packets received by the kernel"), counters::toString);
    }

    @Test
    void anyWritesLoopbackTrafficOnceAndExactlyAsTcpdumpDoes() throws Exception {
        Path gulpOut = temp.resolve("gulp-any.pcap");
        Path tcpdumpOut = temp.resolve("tcpdump-any.pcap");
        try (GulpInNamespace gulp = start(gulpOut, "-i", "any");
             TcpdumpInNamespace tcpdump = TcpdumpInNamespace.start(bed.captureNamespace, "any", tcpdumpOut,
                     temp.resolve("tcpdump.err"))) {
            assertTrue(gulp.stderrText().contains("loopback packets once"), gulp::stderrOrReason);
            // 20 datagrams to a bound socket on 127.0.0.1 (so no ICMP replies), bounded in count and time.
            Tools.check("timeout", "20", "ip", "netns", "exec", bed.captureNamespace, "/usr/bin/python3", "-c",
                    "import socket\n"
                            + "r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(('127.0.0.1', 9999)); r.settimeout(5)\n"
                            + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                            + "for i in range(20):\n"
                            + "    s.sendto(b'gulp-loopback-%02d' % i, ('127.0.0.1', 9999)); r.recv(100)\n");
            send(0, 0, 30, 9).get(30, TimeUnit.SECONDS);
            gulp.stopAfterDrain();
            tcpdump.stopAfter(PcapFiles.read(gulpOut).records().size());
        }
        List<String> written = records(gulpOut);
        String marker = HexFormat.of().formatHex("gulp-loopback-".getBytes());
        assertEquals(20, written.stream().filter(h -> h.contains(marker)).count(), "each datagram once");
        assertEquals(PcapFiles.read(tcpdumpOut).linkType(), PcapFiles.read(gulpOut).linkType());
        assertEquals(records(tcpdumpOut), written);
    }

    private static List<String> records(Path file) throws Exception {
        List<String> frames = new ArrayList<>();
        for (PcapFiles.Record r : PcapFiles.read(file).records()) {
            frames.add(HexFormat.of().formatHex(r.data()));
        }
        return frames;
    }

    @Test
    void listInterfacesShowsTheTestVethsWithStateLinkTypeAndSpeed() throws Exception {
        Path out = temp.resolve("list.txt");
        GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, out, temp.resolve("list.err"), "-D");
        assertEquals(0, gulp.waitFor(30), gulp::stderrOrReason);
        List<String> lines = Files.readAllLines(out);
        for (String name : bed.captureInterfaces) {
            String line = lines.stream().filter(l -> l.contains("." + name + " ")).findFirst().orElseThrow(() ->
                    new AssertionError(name + " not listed: " + lines));
            assertTrue(line.contains("[Up, Running]") && line.contains("Ethernet (link type 1)"), line);
            assertTrue(line.endsWith(" Mb/s") || line.endsWith("speed unknown"), line);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains(".lo [Up, Running, Loopback]")), lines::toString);
        assertTrue(lines.getLast().matches("\\d+\\.any .*link type 276\\)"), lines::toString);
    }

    @Test
    void aMissingInterfaceAmongSeveralIsOneLineAndWritesNothing() throws Exception {
        Path out = temp.resolve("missing.pcap");
        GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, out, temp.resolve("missing.err"),
                "-i", bed.captureInterfaces[0] + ",gtnosuch0");
        assertEquals(Main.EXIT_INPUT, gulp.waitFor(30), gulp::stderrOrReason);
        String err = gulp.stderrText();
        assertTrue(err.startsWith("gulp: no such interface: gtnosuch0 (interfaces: "), err);
        assertEquals(1, err.lines().count(), err);
        assertEquals(0, Files.size(out));
    }

    @Test
    void interfacesOfDifferentLinkTypesAreRefusedForClassicPcap() throws Exception {
        String tun = "gttun" + Integer.toHexString(bed.hashCode() & 0xfff);
        Tools.check("ip", "-n", bed.captureNamespace, "tuntap", "add", "dev", tun, "mode", "tun");
        try {
            Tools.check("ip", "-n", bed.captureNamespace, "link", "set", tun, "up");
            Path out = temp.resolve("mixed.pcap");
            GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, out, temp.resolve("mixed.err"),
                    "-F", "-i", bed.captureInterfaces[0], "-i", tun);
            assertEquals(Main.EXIT_USAGE, gulp.waitFor(30), gulp::stderrOrReason);
            String err = gulp.stderrText();
            assertTrue(err.startsWith("gulp: classic pcap holds one link type"), err);
            assertTrue(err.contains(bed.captureInterfaces[0] + " link type 1, " + tun + " link type 101"), err);
            assertEquals(1, err.lines().count(), err);
            assertEquals(0, Files.size(out));
        } finally {
            Tools.run("ip", "-n", bed.captureNamespace, "tuntap", "del", "dev", tun, "mode", "tun");
        }
    }

    @Test
    void anyCombinedWithAnotherInterfaceIsABadUsage() throws Exception {
        Path out = temp.resolve("any-and.pcap");
        GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, out, temp.resolve("any-and.err"),
                "-i", "any", "-i", bed.captureInterfaces[0]);
        assertEquals(Main.EXIT_USAGE, gulp.waitFor(30), gulp::stderrOrReason);
        assertTrue(gulp.stderrText().startsWith("gulp: -i any already captures every interface"), gulp::stderrOrReason);
        assertEquals(0, Files.size(out));
    }
}
