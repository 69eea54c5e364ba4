package gulp.cli;

import gulp.testing.GulpInNamespace;
import gulp.testing.NamespaceSender;
import gulp.testing.PcapFiles;
import gulp.testing.Frames;
import gulp.testing.Tools;
import gulp.testing.VethPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code gulp -i IFACE} end to end: a real veth pair between two namespaces of our own, frames
 * from a Java AF_PACKET sender, gulp as a subprocess, the file read back independently.
 */
class LiveCaptureTest {
    @RegisterExtension
    static final VethPair bed = VethPair.testBed();

    @TempDir
    Path temp;

    private GulpInNamespace startGulp(Path out, String... extra) throws Exception {
        return GulpInNamespace.capture(bed, out, temp.resolve("stderr.txt"), extra);
    }


    /** Checks every record is an intact test frame; returns the sequence numbers in file order. */
    private static long[] sequencesIn(Path file, boolean checkBytes) throws IOException {
        long[][] found = {new long[1024]};
        int[] n = {0};
        PcapFiles.Summary summary = PcapFiles.visit(file, (seconds, fraction, caplen, wirelen, data, offset) -> {
            int sequence = Frames.sequenceOf(data, offset, caplen);
            if (sequence < 0) {
                return;
            }
            if (checkBytes) {
                byte[] expected = Frames.numbered(sequence, Frames.mixedLength(sequence), 9);
                assertEquals(expected.length, caplen, "caplen of frame " + sequence);
                assertEquals(expected.length, wirelen, "wire length of frame " + sequence);
                assertArrayEquals(expected, Arrays.copyOfRange(data, offset, offset + caplen), "bytes of frame " + sequence);
            }
            if (n[0] == found[0].length) {
                found[0] = Arrays.copyOf(found[0], n[0] * 2);
            }
            found[0][n[0]++] = sequence;
        });
        assertTrue(summary.cleanEnd(), "file ends inside a record: " + summary);
        assertEquals(1, summary.linkType());
        return Arrays.copyOf(found[0], n[0]);
    }

    @Test
    void twoHundredThousandMixedFramesAreCapturedExactlyOnceInOrderAndIntact() throws Exception {
        int count = 200_000;
        Path out = temp.resolve("mixed.pcap");
        long rxBefore = bed.captureStatistic("rx_packets");
        try (GulpInNamespace gulp = startGulp(out, "--nano")) {
            AtomicLong sent = new AtomicLong();
            long sentCount = NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, count,
                    i -> Frames.numbered(i, Frames.mixedLength(i), 9), 0, sent).get(90, TimeUnit.SECONDS);
            assertEquals(count, sentCount);
            gulp.stopAfterDrain();
            long[] sequences = sequencesIn(out, true);
            assertEquals(count, sequences.length, "test frames in the file");
            for (int i = 0; i < count; i++) {
                assertEquals(i, sequences[i], "frame at position " + i);
            }
            Map<String, Long> counters = gulp.counters();
            long delivered = bed.captureStatistic("rx_packets") - rxBefore;
            assertTrue(delivered >= count, "rx_packets grew by " + delivered);
            assertEquals(delivered, counters.get("packets received by the kernel"), gulp.stderrOrReason());
            assertEquals(0, counters.get("packets dropped by the kernel"));
            assertEquals(0, counters.get("records dropped (ring full)"));
            assertEquals(delivered, counters.get("packets captured"));
            assertEquals(delivered, counters.get("records written"));
        }
    }

    @Test
    void fiftyFramesAtLowRateAreAllWrittenWhenInterruptedSoonAfter() throws Exception {
        Path out = temp.resolve("low.pcap");
        try (GulpInNamespace gulp = startGulp(out)) {
            AtomicLong sent = new AtomicLong();
            NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, 50,
                    i -> Frames.numbered(i, Frames.mixedLength(i), 9), 2_000_000, sent).get(30, TimeUnit.SECONDS);
            gulp.stopAfterDrain();
            long[] sequences = sequencesIn(out, true);
            assertEquals(50, sequences.length, gulp.stderrOrReason());
        }
    }

    @Test
    void sigtermDuringABurstLeavesAValidFileWithEveryDeliveredPacket() throws Exception {
        Path out = temp.resolve("term.pcap");
        try (GulpInNamespace gulp = startGulp(out)) {
            AtomicLong sent = new AtomicLong();
            var sending = NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, 150_000,
                    i -> Frames.numbered(i, Frames.mixedLength(i), 9), 0, sent);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (sent.get() < 20_000 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            gulp.signal("TERM");
            assertEquals(0, gulp.waitFor(30), gulp::stderrOrReason);
            sending.get(90, TimeUnit.SECONDS);
            long[] sequences = sequencesIn(out, true);
            Map<String, Long> counters = gulp.counters();
            long delivered = counters.get("packets received by the kernel") - counters.get("packets dropped by the kernel");
            assertTrue(sequences.length > 0);
            assertEquals(delivered - counters.get("records dropped (ring full)"), sequences.length, gulp.stderrOrReason());
            for (int i = 1; i < sequences.length; i++) {
                assertTrue(sequences[i] > sequences[i - 1], "order at " + i);
            }
        }
    }

    /**
     * This kernel has no 8021q module, so the sender puts the 802.1Q tag into the frame itself;
     * the receiving kernel moves it into the packet metadata (skb_vlan_untag) before the taps run,
     * exactly as for a tag added by a VLAN sub-interface, and gulp must put it back.
     */
    @Test
    void vlanTaggedFramesComeOutWithTheirTag() throws Exception {
        Path out = temp.resolve("vlan.pcap");
        try (GulpInNamespace gulp = startGulp(out)) {
            AtomicLong sent = new AtomicLong();
            NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, 20,
                    i -> Frames.withVlanTag(Frames.numbered(i, 200, 9), 100), 0, sent).get(30, TimeUnit.SECONDS);
            gulp.stopAfterDrain();
        }
        int[] tagged = {0};
        PcapFiles.visit(out, (seconds, fraction, caplen, wirelen, data, offset) -> {
            if (caplen == 204 && (data[offset + 12] & 0xff) == 0x81 && data[offset + 13] == 0
                    && (((data[offset + 14] & 0x0f) << 8) | (data[offset + 15] & 0xff)) == 100) {
                byte[] expected = Frames.numbered(tagged[0], 200, 9);
                byte[] untagged = new byte[200];
                System.arraycopy(data, offset, untagged, 0, 12);
                System.arraycopy(data, offset + 16, untagged, 12, 188);
                assertArrayEquals(expected, untagged, "frame " + tagged[0] + " without its tag");
                assertEquals(204, wirelen);
                tagged[0]++;
            }
        });
        assertEquals(20, tagged[0]);
        String decoded = Tools.check("tcpdump", "-nn", "-e", "-r", out.toString(), "-c", "1");
        assertTrue(decoded.contains("vlan 100"), decoded);
    }

    @Test
    void snaplenCutsFramesInTheKernelAndKeepsTheirWireLength() throws Exception {
        Path out = temp.resolve("snap.pcap");
        try (GulpInNamespace gulp = startGulp(out, "-s", "100")) {
            AtomicLong sent = new AtomicLong();
            NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, 10,
                    i -> Frames.numbered(i, 500, 9), 0, sent).get(30, TimeUnit.SECONDS);
            gulp.stopAfterDrain();
        }
        int[] cut = {0};
        PcapFiles.Summary summary = PcapFiles.visit(out, (seconds, fraction, caplen, wirelen, data, offset) -> {
            if (Frames.sequenceOf(data, offset, caplen) >= 0) {
                assertEquals(100, caplen);
                assertEquals(500, wirelen);
                cut[0]++;
            }
        });
        assertEquals(10, cut[0]);
        assertEquals(100, summary.snaplen());
    }

    @Test
    void aFilterRunsInTheKernelSoRejectedFramesAreNeverReceived() throws Exception {
        Path out = temp.resolve("filtered.pcap");
        try (GulpInNamespace gulp = startGulp(out, "-f", "udp dst port 9999")) {
            assertTrue(gulp.stderrText().contains("(in the kernel)"), gulp.stderrOrReason());
            AtomicLong sent = new AtomicLong();
            NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, 3000,
                    i -> Frames.numbered(i, 120, i % 3 == 0 ? 9999 : 8888), 0, sent).get(30, TimeUnit.SECONDS);
            gulp.stopAfterDrain();
            int[] matching = {0};
            PcapFiles.visit(out, (seconds, fraction, caplen, wirelen, data, offset) -> {
                assertEquals(0, Frames.sequenceOf(data, offset, caplen) % 3, "only port 9999 frames");
                matching[0]++;
            });
            assertEquals(1000, matching[0]);
            assertEquals(1000, gulp.counters().get("packets received by the kernel"), gulp.stderrOrReason());
        }
    }

    /**
     * Sends {@code count} frames while nobody reads gulp's stdout (its writer is stuck on the pipe),
     * then SIGINT; reads the output only then, into {@code name}. Returns the file.
     */
    private Path sendToAStalledWriterThenStop(GulpInNamespace gulp, int count, IntFunction<byte[]> frames, String name)
            throws Exception {
        assertTrue(gulp.awaitListening(20_000), gulp::stderrOrReason);
        NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, count, frames, 0, new AtomicLong())
                .get(60, TimeUnit.SECONDS);
        Thread.sleep(300);
        gulp.signal("INT");
        InputStream stdout = gulp.stdout();
        Path out = temp.resolve(name);
        Files.copy(stdout, out);
        assertEquals(0, gulp.waitFor(30), gulp::stderrOrReason);
        return out;
    }

    @Test
    void withoutHeldKernelBlocksAStalledWriterMakesRingFullDropsThatAddUp() throws Exception {
        Path err = temp.resolve("stderr.txt");
        try (GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, null, err,
                "-i", bed.captureInterface, "-r", "1", "-z", "65536", "--no-hold-kernel-blocks")) {
            // 20 MB into a 1 MiB ring while nobody reads the stdout pipe.
            Path out = sendToAStalledWriterThenStop(gulp, 20_000, i -> Frames.numbered(i, 1000, 9), "full.pcap");
            Map<String, Long> counters = gulp.counters();
            long ringFull = counters.get("records dropped (ring full)");
            long delivered = counters.get("packets received by the kernel") - counters.get("packets dropped by the kernel");
            long inFile = PcapFiles.visit(out, (s, f, c, w, d, o) -> { }).records();
            assertTrue(ringFull > 0, gulp.stderrOrReason());
            assertEquals(delivered, counters.get("packets captured"));
            assertEquals(delivered, inFile + ringFull, gulp.stderrOrReason());
            assertEquals(inFile, counters.get("records written"));
        }
    }

    @Test
    void aFullDiskThatComesBackAfterTheKernelDroppedPacketsEndsTheRunWithStatus4() throws Exception {
        // A 24 MiB disk of our own, 20 MiB of it taken by a filler: 4 MiB for the capture, while the
        // traffic (about 38 MB) is more than that and both rings (16 + 1 MiB) together.
        Path disk = Files.createDirectory(temp.resolve("disk"));
        Tools.Output mount = Tools.run("mount", "-t", "tmpfs", "-o", "size=24m", "gulp-test-disk", disk.toString());
        assumeTrue(mount.status() == 0, "cannot mount a tmpfs: " + mount.stderr());
        try {
            Path filler = disk.resolve("filler");
            Files.write(filler, new byte[20 << 20]);
            Path out = Files.createDirectory(disk.resolve("out"));
            Path err = temp.resolve("stderr.txt");
            try (GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, null, err,
                    "-i", bed.captureInterface, "-o", out.toString(), "-r", "1", "-B", "16")) {
                assertTrue(gulp.awaitListening(20_000), gulp::stderrOrReason);
                // First fill the disk (about 6 MB: the 4 MiB left, then the ring), and wait until the
                // writer says it is stalled; only then the burst the two rings cannot hold, so that
                // every kernel drop happens during the stall (a burst sent at once could make the
                // kernel drop while a slow start of the writer had not yet reached the full disk).
                NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, 8_000,
                        i -> Frames.numbered(i, Frames.mixedLength(i), 9), 0, new AtomicLong()).get(60, TimeUnit.SECONDS);
                long stallDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < stallDeadline && !gulp.stderrText().contains("No space left on device")) {
                    Thread.sleep(20);
                }
                assertTrue(gulp.stderrText().contains("No space left on device"), gulp.stderrOrReason());
                NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 8_000, 40_000,
                        i -> Frames.numbered(i, Frames.mixedLength(i), 9), 0, new AtomicLong()).get(60, TimeUnit.SECONDS);
                Files.delete(filler); // the disk comes back: the writer retries every second
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline && !gulp.stderrText().contains(" again after ")) {
                    Thread.sleep(100);
                }
                Thread.sleep(2000);
                gulp.signal("INT");
                int status = gulp.waitFor(30);
                Map<String, Long> counters = gulp.counters();
                long kernelDropped = counters.get("packets dropped by the kernel");
                assertTrue(kernelDropped > 0, gulp.stderrOrReason());
                assertEquals(0, counters.get("records dropped (ring full)"), gulp.stderrOrReason());
                assertEquals(4, status, gulp.stderrOrReason());
                assertTrue(gulp.stderrText().contains("packets were lost in a run whose output could not be written for a while"
                        + " (ring full 0, kernel " + kernelDropped + ")"), gulp.stderrOrReason());
                long inFiles = 0;
                for (Path file : PcapFiles.outputFiles(out)) {
                    inFiles += sequencesIn(file, true).length;
                }
                assertEquals(counters.get("records written"), inFiles, gulp.stderrOrReason());
                assertEquals(counters.get("packets captured"), inFiles, "nothing captured was lost: " + gulp.stderrOrReason());
            }
        } finally {
            Tools.run("umount", "-l", disk.toString());
        }
    }

    @Test
    void byDefaultAStalledWriterLeavesPacketsInTheKernelRingInsteadOfDroppingThem() throws Exception {
        Path err = temp.resolve("stderr.txt");
        try (GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, null, err,
                "-i", bed.captureInterface, "-r", "1", "-z", "65536", "-B", "16")) {
            // About 32 MB while nobody reads the stdout pipe: more than the 1 MiB ring and the
            // 16 MiB kernel ring together.
            Path out = sendToAStalledWriterThenStop(gulp, 40_000, i -> Frames.numbered(i, Frames.mixedLength(i), 9),
                    "held.pcap");
            Map<String, Long> counters = gulp.counters();
            long received = counters.get("packets received by the kernel");
            long kernelDropped = counters.get("packets dropped by the kernel");
            long[] sequences = sequencesIn(out, true);
            assertTrue(gulp.stderrText().contains("an output stall is absorbed by 17 MiB (kernel ring 16 + ring 1): 0.01 s at 10 Gb/s (the link's speed)"),
                    gulp.stderrOrReason());
            assertEquals(0, counters.get("records dropped (ring full)"), gulp.stderrOrReason());
            assertTrue(kernelDropped > 0, gulp.stderrOrReason());
            assertEquals(received - kernelDropped, sequences.length, gulp.stderrOrReason());
            // gulp's 1 MiB ring alone holds about 1,300 of these frames; the kernel ring many more
            // (fewer when a loaded machine retires its blocks half full).
            assertTrue(sequences.length > 5_000, "the kernel ring buffered as well: " + gulp.stderrOrReason());
            for (int i = 1; i < sequences.length; i++) {
                assertTrue(sequences[i] > sequences[i - 1], "order at " + i);
            }
        }
    }

    @Test
    void aMissingInterfaceIsOneLineNamingTheOnesThatExist() throws Exception {
        Path err = temp.resolve("stderr.txt");
        try (GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, temp.resolve("x.pcap"), err, "-i", "nosuch0")) {
            assertEquals(Main.EXIT_INPUT, gulp.waitFor(30));
            String text = gulp.stderrText().trim();
            assertEquals(1, text.lines().count(), text);
            assertTrue(text.contains("no such interface: nosuch0") && text.contains(bed.captureInterface), text);
        }
    }

    @Test
    void anInterfaceThatIsDownIsRefused() throws Exception {
        String down = bed.captureInterface + "d";
        Tools.check("ip", "-n", bed.captureNamespace, "link", "add", down, "type", "veth", "peer", "name", down + "p");
        try (GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, temp.resolve("x.pcap"),
                temp.resolve("stderr.txt"), "-i", down)) {
            assertEquals(Main.EXIT_INPUT, gulp.waitFor(30));
            String text = gulp.stderrText().trim();
            assertEquals(1, text.lines().count(), text);
            assertTrue(text.contains("is down"), text);
        } finally {
            Tools.run("ip", "-n", bed.captureNamespace, "link", "del", down);
        }
    }

    @Test
    void withoutPrivilegesTheMessageNamesTheCapabilities() throws Exception {
        assumeTrue(Tools.run("setpriv", "--version").status() == 0);
        try (GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, "nobody", temp.resolve("x.pcap"),
                temp.resolve("stderr.txt"), "-i", bed.captureInterface)) {
            assertEquals(Main.EXIT_INPUT, gulp.waitFor(30));
            String text = gulp.stderrText().trim();
            assertTrue(text.contains("permission denied") && text.contains("CAP_NET_RAW"), text);
        }
    }
}
