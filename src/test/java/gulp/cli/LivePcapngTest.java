package gulp.cli;

import gulp.testing.Frames;
import gulp.testing.GulpInNamespace;
import gulp.testing.NamespaceSender;
import gulp.testing.PcapngFiles;
import gulp.testing.Tools;
import gulp.testing.VethPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gulp -i IFACE --format pcapng} on a veth pair of our own: interface, flags and statistics against gulp's counters. */
class LivePcapngTest {
    private static final int IF_NAME = 2;
    private static final int IF_FILTER = 11;
    private static final int EPB_FLAGS = 2;
    private static final int EPB_DROPCOUNT = 4;
    private static final int ISB_IFRECV = 4;
    private static final int ISB_IFDROP = 5;
    private static final int ISB_OSDROP = 7;
    private static final int ISB_USRDELIV = 8;

    @RegisterExtension
    static final VethPair bed = VethPair.testBed();

    @TempDir
    Path temp;

    @Test
    void liveFramesAreInboundPacketsOfTheNamedInterfaceAndTheStatisticsAreGulpsCounters() throws Exception {
        Path out = temp.resolve("live.pcapng");
        try (GulpInNamespace gulp = GulpInNamespace.capture(bed, out, temp.resolve("stderr.txt"),
                "--format", "pcapng", "-f", "not ip6")) {
            NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, 50,
                    i -> Frames.numbered(i, Frames.mixedLength(i), 9), 2_000_000, new AtomicLong()).get(30, TimeUnit.SECONDS);
            gulp.stopAfterDrain();
            Map<String, Long> counters = gulp.counters();
            List<PcapngFiles.Block> blocks = PcapngFiles.read(out);
            PcapngFiles.Block idb = PcapngFiles.ofType(blocks, PcapngFiles.IDB).get(0);
            assertEquals(bed.captureInterface, idb.string(IF_NAME));
            assertEquals("\0not ip6", idb.string(IF_FILTER), "the filter expression as given");
            List<PcapngFiles.Block> packets = PcapngFiles.ofType(blocks, PcapngFiles.EPB);
            int numbered = 0;
            for (PcapngFiles.Block packet : packets) {
                int flags = packet.int32(EPB_FLAGS);
                assertEquals(0b01, flags & 0b11, "inbound");
                assertTrue((flags >>> 2 & 0b111) != 0, "reception type given");
                byte[] data = java.util.Arrays.copyOfRange(packet.body(), 20, 20 + packet.intAt(12));
                if (Frames.sequenceOf(data, 0, data.length) >= 0) {
                    numbered++;
                }
            }
            assertEquals(50, numbered, gulp.stderrOrReason());
            assertEquals(counters.get("records written"), packets.size());
            PcapngFiles.Block isb = PcapngFiles.ofType(blocks, PcapngFiles.ISB).get(0);
            assertEquals(counters.get("packets received by the kernel"), isb.count(ISB_IFRECV));
            assertEquals(counters.get("records written"), isb.count(ISB_USRDELIV));
            assertEquals(counters.get("packets dropped by the kernel") + counters.get("records dropped (ring full)"),
                    isb.count(ISB_OSDROP));
            String tshark = Tools.check("tshark", "-r", out.toString(), "-T", "fields", "-e", "frame.interface_name");
            assertTrue(tshark.lines().allMatch(bed.captureInterface::equals), tshark);
            assertEquals(0, Tools.run("tcpdump", "-nn", "-r", out.toString()).status());
        }
    }

    @Test
    void ringFullDropsOfAStalledWriterAreInTheStatisticsWiresharkShowsAsDropped() throws Exception {
        Path err = temp.resolve("stderr.txt");
        try (GulpInNamespace gulp = GulpInNamespace.start(bed.captureNamespace, null, null, err,
                "-i", bed.captureInterface, "-r", "1", "-z", "65536", "--no-hold-kernel-blocks", "--format", "pcapng")) {
            assertTrue(gulp.awaitListening(20_000), gulp::stderrOrReason);
            // 20 MB into a 1 MiB ring while nobody reads the stdout pipe.
            NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, 20_000, i -> Frames.numbered(i, 1000, 9), 0,
                    new AtomicLong()).get(60, TimeUnit.SECONDS);
            Thread.sleep(300);
            gulp.signal("INT");
            Path out = temp.resolve("full.pcapng");
            try (InputStream stdout = gulp.stdout()) {
                Files.copy(stdout, out);
            }
            assertEquals(0, gulp.waitFor(30), gulp::stderrOrReason);
            Map<String, Long> counters = gulp.counters();
            long ringFull = counters.get("records dropped (ring full)");
            assertTrue(ringFull > 0, gulp.stderrOrReason());
            List<PcapngFiles.Block> blocks = PcapngFiles.read(out);
            PcapngFiles.Block isb = PcapngFiles.ofType(blocks, PcapngFiles.ISB).get(0);
            long kernel = counters.get("packets dropped by the kernel");
            assertEquals(ringFull + kernel + counters.get("packets dropped by the interface"), isb.count(ISB_IFDROP));
            assertEquals(ringFull + kernel, isb.count(ISB_OSDROP));
            assertEquals(counters.get("records written"), isb.count(ISB_USRDELIV));
            long perPacket = PcapngFiles.ofType(blocks, PcapngFiles.EPB).stream().mapToLong(b -> Math.max(0, b.count(EPB_DROPCOUNT))).sum();
            assertTrue(perPacket <= ringFull, "epb_dropcount counts drops before a later packet: " + perPacket);
        }
    }
}
