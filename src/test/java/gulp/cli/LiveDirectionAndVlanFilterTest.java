package gulp.cli;

import gulp.testing.GulpInNamespace;
import gulp.testing.NamespaceSender;
import gulp.testing.PcapFiles;
import gulp.testing.TcpdumpInNamespace;
import gulp.testing.Frames;
import gulp.testing.Tools;
import gulp.testing.VethPair;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live capture keeps what tcpdump keeps on the same traffic at the same time: each loopback packet
 * once, {@code -Q in|out}, and {@code -f} expressions with {@code vlan} (whose outer tag the kernel
 * removes before any filter runs).
 */
class LiveDirectionAndVlanFilterTest {
    @RegisterExtension
    static final VethPair bed = VethPair.testBed("tcpdump");

    @TempDir
    Path temp;

    /** Every record of a capture as hex, in file order. */
    private static List<String> records(Path file) throws Exception {
        List<String> frames = new ArrayList<>();
        for (PcapFiles.Record r : PcapFiles.read(file).records()) {
            frames.add(HexFormat.of().formatHex(r.data()));
        }
        return frames;
    }

    private static long testFrames(Path file) throws Exception {
        return PcapFiles.read(file).records().stream()
                .filter(r -> Frames.sequenceOf(r.data(), 0, r.data().length) >= 0).count();
    }

    @Test
    void loopbackPacketsAreWrittenOnceAsTcpdumpWritesThem() throws Exception {
        String namespace = "gt-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF)) + "-lo";
        Tools.check("ip", "netns", "add", namespace);
        try {
            Tools.check("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up");
            Path gulpOut = temp.resolve("gulp-lo.pcap");
            Path tcpdumpOut = temp.resolve("tcpdump-lo.pcap");
            try (GulpInNamespace gulp = GulpInNamespace.start(namespace, null, gulpOut, temp.resolve("gulp.err"), "-i", "lo");
                 TcpdumpInNamespace tcpdump = TcpdumpInNamespace.start(namespace, "lo", tcpdumpOut, temp.resolve("tcpdump.err"))) {
                assertTrue(gulp.awaitListening(20_000), gulp::stderrOrReason);
                assertTrue(gulp.stderrText().contains("each packet once"), gulp::stderrOrReason);
                // 20 datagrams to a bound socket on 127.0.0.1 (so no ICMP replies), bounded in count and time.
                Tools.check("timeout", "20", "ip", "netns", "exec", namespace, "/usr/bin/python3", "-c",
                        "import socket\n"
                                + "r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(('127.0.0.1', 9999)); r.settimeout(5)\n"
                                + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                                + "for i in range(20):\n"
                                + "    s.sendto(b'gulp-loopback-%02d' % i, ('127.0.0.1', 9999)); r.recv(100)\n");
                gulp.stopAfterDrain();
                tcpdump.stopAfter(PcapFiles.read(gulpOut).records().size());
            }
            List<String> written = records(gulpOut);
            long datagrams = written.stream().filter(h -> h.contains(HexFormat.of().formatHex("gulp-loopback-".getBytes()))).count();
            assertEquals(20, datagrams, "each datagram once");
            assertEquals(records(tcpdumpOut), written);
        } finally {
            Tools.run("ip", "netns", "del", namespace);
        }
    }

    @Test
    void directionInAndOutKeepWhatTcpdumpKeeps() throws Exception {
        Path inOut = temp.resolve("gulp-in.pcap"), outOut = temp.resolve("gulp-out.pcap"), bothOut = temp.resolve("gulp-both.pcap");
        Path tcpIn = temp.resolve("tcpdump-in.pcap"), tcpOut = temp.resolve("tcpdump-out.pcap");
        try (GulpInNamespace in = GulpInNamespace.capture(bed, inOut, temp.resolve("in.err"), "-Q", "in");
             GulpInNamespace out = GulpInNamespace.capture(bed, outOut, temp.resolve("out.err"), "--direction=out");
             GulpInNamespace both = GulpInNamespace.capture(bed, bothOut, temp.resolve("both.err"));
             TcpdumpInNamespace tcpdumpIn = TcpdumpInNamespace.start(bed.captureNamespace, bed.captureInterface, tcpIn,
                     temp.resolve("tcpdump-in.err"), "-Q", "in");
             TcpdumpInNamespace tcpdumpOut = TcpdumpInNamespace.start(bed.captureNamespace, bed.captureInterface, tcpOut,
                     temp.resolve("tcpdump-out.err"), "-Q", "out")) {
            assertTrue(in.stderrText().contains("direction in"), in::stderrOrReason);
            // 30 frames arrive on the capture end, 20 leave from it.
            NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, 30,
                    i -> Frames.numbered(i, 100, 9), 0, new AtomicLong()).get(30, TimeUnit.SECONDS);
            NamespaceSender.send(bed.captureNamespace, bed.captureInterface, 100, 20,
                    i -> Frames.numbered(i, 100, 9), 0, new AtomicLong()).get(30, TimeUnit.SECONDS);
            in.stopAfterDrain();
            out.stopAfterDrain();
            both.stopAfterDrain();
            tcpdumpIn.stopAfter(PcapFiles.read(inOut).records().size());
            tcpdumpOut.stopAfter(PcapFiles.read(outOut).records().size());
        }
        assertEquals(30, testFrames(inOut));
        assertEquals(20, testFrames(outOut));
        assertEquals(50, testFrames(bothOut));
        assertEquals(records(tcpIn), records(inOut));
        assertEquals(records(tcpOut), records(outOut));
    }

    /** Untagged, VLAN 100, VLAN 200, and VLAN 100 to another host, in turn. */
    private static byte[] mixedVlanFrame(int i) {
        byte[] frame = Frames.numbered(i, 120, 9);
        if (i % 4 == 3) {
            frame[33] = 3; // destination 10.250.77.3
        }
        return switch (i % 4) {
            case 0 -> frame;
            case 2 -> Frames.withVlanTag(frame, 200);
            default -> Frames.withVlanTag(frame, 100);
        };
    }

    @Test
    void vlanFiltersMatchTheOuterTagAsTcpdumpsDo() throws Exception {
        Path vlan100 = temp.resolve("gulp-vlan100.pcap"), vlanHost = temp.resolve("gulp-vlanhost.pcap");
        Path keptOther = temp.resolve("gulp-keep-other.pcap");
        Path tcp100 = temp.resolve("tcpdump-vlan100.pcap"), tcpHost = temp.resolve("tcpdump-vlanhost.pcap");
        try (GulpInNamespace byTag = GulpInNamespace.capture(bed, vlan100, temp.resolve("v.err"), "-f", "vlan 100");
             GulpInNamespace byHost = GulpInNamespace.capture(bed, vlanHost, temp.resolve("h.err"), "-f", "vlan and host 10.250.77.3");
             // Not tunnels: with -d --keep-other the filter runs in user space, on the frame and its metadata.
             GulpInNamespace other = GulpInNamespace.capture(bed, keptOther, temp.resolve("o.err"), "-d", "--keep-other",
                     "-f", "vlan 100");
             TcpdumpInNamespace tcpdumpTag = TcpdumpInNamespace.start(bed.captureNamespace, bed.captureInterface, tcp100,
                     temp.resolve("tcpdump-v.err"), "vlan 100");
             TcpdumpInNamespace tcpdumpHost = TcpdumpInNamespace.start(bed.captureNamespace, bed.captureInterface, tcpHost,
                     temp.resolve("tcpdump-h.err"), "vlan and host 10.250.77.3")) {
            assertTrue(!byTag.stderrText().contains("warning"), byTag::stderrOrReason);
            NamespaceSender.send(bed.senderNamespace, bed.senderInterface, 0, 40,
                    LiveDirectionAndVlanFilterTest::mixedVlanFrame, 0, new AtomicLong()).get(30, TimeUnit.SECONDS);
            byTag.stopAfterDrain();
            byHost.stopAfterDrain();
            other.stopAfterDrain();
            tcpdumpTag.stopAfter(PcapFiles.read(vlan100).records().size());
            tcpdumpHost.stopAfter(PcapFiles.read(vlanHost).records().size());
        }
        List<String> tagged = records(vlan100);
        assertEquals(20, tagged.size(), "the VLAN 100 frames");
        assertEquals(records(tcp100), tagged);
        assertEquals(tagged, records(keptOther), "the user-space interpreter keeps what the kernel keeps");
        List<String> toHost = records(vlanHost);
        assertEquals(10, toHost.size(), "the tagged frames to 10.250.77.3");
        assertEquals(records(tcpHost), toHost);
    }
}
