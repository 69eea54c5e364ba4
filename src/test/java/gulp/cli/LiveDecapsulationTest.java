package gulp.cli;

import gulp.testing.EncapsulatedTraffic;
import gulp.testing.GulpInNamespace;
import gulp.testing.GulpProcess;
import gulp.testing.NamespaceSender;
import gulp.testing.PcapFiles;
import gulp.testing.Frames;
import gulp.testing.Tools;
import gulp.testing.VethPair;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gulp -d -i IFACE}: scapy-built tunnels (ERSPAN I/II/III, GRE-TEB, VXLAN, Geneve; IPv4/IPv6;
 * tagged and untagged; fragments) and plain frames sent across our own veth pair. Live
 * decapsulation must give exactly what decapsulating the sent frames from a file gives, and
 * {@code -d -f} exactly what filtering that afterwards gives — with the kernel keeping the
 * non-matching frames of the fixed shapes out of user space.
 */
class LiveDecapsulationTest {
    private static final int MAX_PLAIN_FRAMES = 300;
    private static int plainFrames;
    @RegisterExtension
    static final VethPair bed = VethPair.testBed();
    @TempDir
    static Path work;
    private static List<byte[]> frames;
    private static Path sentFile;

    @TempDir
    Path temp;

    @BeforeAll
    static void generateTraffic() throws Exception {
        EncapsulatedTraffic.generate(work);
        frames = new ArrayList<>();
        int plain = 0;
        for (byte[] frame : EncapsulatedTraffic.framesForVeth(work.resolve("outer.pcap"))) {
            frames.add(frame);
            if (frames.size() % 3 == 0 && plain < MAX_PLAIN_FRAMES) {
                frames.add(Frames.numbered(plain++, 100 + plain % 400, 9)); // not encapsulated
            }
        }
        plainFrames = plain;
        List<PcapFiles.Record> records = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            records.add(new PcapFiles.Record(1_700_000_000L + i / 1000, i % 1000 * 1000L, frames.get(i).length, frames.get(i)));
        }
        sentFile = work.resolve("sent.pcap");
        Files.write(sentFile, PcapFiles.write(new PcapFiles.Capture(false, false, 262144, 1, records)));
    }

    /** Captures the frames live with these options; returns the output and the gulp process's stderr counters. */
    private PcapFiles.Capture captureLive(Path out, String... options) throws Exception {
        String[] args = new String[options.length + 2];
        args[0] = "-i";
        args[1] = bed.captureInterface;
        System.arraycopy(options, 0, args, 2, options.length);
        return captureLiveWith(out, frames, args);
    }

    /** As {@link #captureLive}, sending {@code toSend}, with every argument given ({@code -i} too). */
    private PcapFiles.Capture captureLiveWith(Path out, List<byte[]> toSend, String... args) throws Exception {
        try (GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, out, temp.resolve("err.txt"), args)) {
            assertTrue(gulp.awaitListening(30_000), gulp::stderrOrReason);
            AtomicLong sent = new AtomicLong();
            NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, toSend.size(), toSend::get, 20_000, sent)
                    .get(60, TimeUnit.SECONDS);
            gulp.stopAfterDrain();
            lastStderr = gulp.stderrText();
            lastKernelReceived = gulp.counters().getOrDefault("packets received by the kernel", -1L);
        }
        return PcapFiles.read(out);
    }

    private String lastStderr;
    private long lastKernelReceived;

    private PcapFiles.Capture decapsulateFile(Path out, String... options) throws Exception {
        String[] args = new String[options.length + 2];
        args[0] = "--read";
        args[1] = sentFile.toString();
        System.arraycopy(options, 0, args, 2, options.length);
        GulpProcess.Result result = GulpProcess.run(null, out, args);
        assertEquals(0, result.status(), result.stderr());
        return PcapFiles.read(out);
    }

    private static void assertSameFrames(PcapFiles.Capture expected, PcapFiles.Capture actual) {
        assertEquals(expected.records().size(), actual.records().size(), "number of inner frames");
        for (int i = 0; i < expected.records().size(); i++) {
            assertArrayEquals(expected.records().get(i).data(), actual.records().get(i).data(), "inner frame " + i);
            assertEquals(expected.records().get(i).wirelen(), actual.records().get(i).wirelen(), "wire length " + i);
        }
    }

    @Test
    void liveDecapsulationWritesExactlyTheInnerFrames() throws Exception {
        PcapFiles.Capture expected = decapsulateFile(temp.resolve("file.pcap"), "-d");
        assertTrue(expected.records().size() > 50, "the generator gives a real mix");
        PcapFiles.Capture live = captureLive(temp.resolve("live.pcap"), "-d");
        assertSameFrames(expected, live);
        assertTrue(lastStderr.contains(plainFrames + " packets skipped by decapsulation"), lastStderr);
    }

    /**
     * {@code -i any}: the same tunnels arrive as Linux cooked v2 frames, and come out as the same
     * inner frames. Not QinQ-tagged ones: for those the kernel hands a cooked socket the inner
     * tag's TCI in front of the network header, under the innermost EtherType (tcpdump -i any
     * writes the same bytes), which no reader can decapsulate.
     */
    @Test
    void anyDecapsulatesItsCookedFramesToTheSameInnerFrames() throws Exception {
        List<byte[]> singleTagged = frames.stream()
                .filter(f -> !((f[12] & 0xff) == 0x88 && (f[13] & 0xff) == 0xa8)).toList();
        List<PcapFiles.Record> records = new ArrayList<>();
        for (byte[] frame : singleTagged) {
            records.add(new PcapFiles.Record(1_700_000_000L, 0, frame.length, frame));
        }
        Path singleTaggedFile = temp.resolve("single-tagged.pcap");
        Files.write(singleTaggedFile, PcapFiles.write(new PcapFiles.Capture(false, false, 262144, 1, records)));
        Path expectedFile = temp.resolve("file.pcap");
        GulpProcess.Result result = GulpProcess.run(null, expectedFile, "--read", singleTaggedFile.toString(), "-d");
        assertEquals(0, result.status(), result.stderr());
        PcapFiles.Capture expected = PcapFiles.read(expectedFile);
        assertTrue(expected.records().size() > 50, "the generator gives a real mix");
        PcapFiles.Capture live = captureLiveWith(temp.resolve("any.pcap"), singleTagged, "-i", "any", "-d");
        assertTrue(lastStderr.contains("listening on any ("), lastStderr);
        assertSameFrames(expected, live);
    }

    @Test
    void innerFilterInTheKernelGivesTheSameFileAsFilteringAfterwards() throws Exception {
        String filter = "udp port 53";
        Path all = temp.resolve("all.pcap");
        decapsulateFile(all, "-d");
        Path reference = temp.resolve("reference.pcap");
        Tools.check("tcpdump", "-r", all.toString(), "-w", reference.toString(), filter);
        PcapFiles.Capture expected = PcapFiles.read(reference);
        assertTrue(!expected.records().isEmpty(), "some inner frames are DNS");

        PcapFiles.Capture live = captureLive(temp.resolve("live.pcap"), "-d", "-f", filter);
        assertSameFrames(expected, live);
        assertTrue(lastStderr.contains("in the kernel for ERSPAN-II, ERSPAN-III, ERSPAN-I"), lastStderr);
        // The kernel dropped the plain frames and the non-matching fixed-shape tunnels itself.
        assertTrue(lastKernelReceived > 0 && lastKernelReceived < frames.size() - plainFrames,
                "received by the kernel: " + lastKernelReceived + " of " + frames.size());
    }
}
