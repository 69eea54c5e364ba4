package gulp.cli;

import gulp.testing.EncapsulatedTraffic;
import gulp.testing.GulpInNamespace;
import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code gulp -i TUN -F -d}: a live interface without a link-layer header (a tun device, ARPHRD_NONE,
 * in a namespace of our own) carries the scapy-built tunnels as raw IP packets, written into the
 * device by a bounded loop. Live decapsulation gives what decapsulating the same packets from a
 * raw-IP file gives.
 */
class LiveRawIpDecapsulationTest {
    /** Writes the packets of a raw-IP pcap (argv[1]) that fit the MTU into tun device argv[3]; saves them to argv[2]. */
    private static final String WRITER = """
            import fcntl, os, struct, sys
            data = open(sys.argv[1], 'rb').read()
            header, at, sent = data[:24], 24, []
            while at + 16 <= len(data):
                sec, frac, caplen, wirelen = struct.unpack('<IIII', data[at:at + 16])
                packet = data[at + 16:at + 16 + caplen]
                at += 16 + caplen
                if caplen == wirelen and caplen <= 1500:
                    sent.append(data[at - 16 - caplen:at])
            fd = os.open('/dev/net/tun', os.O_RDWR)
            fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', sys.argv[3].encode(), 0x0001 | 0x1000))  # TUNSETIFF, IFF_TUN|IFF_NO_PI
            for record in sent:
                os.write(fd, record[16:])
            open(sys.argv[2], 'wb').write(header + b''.join(sent))
            """;

    @TempDir
    Path temp;

    @Test
    void tunnelsOnARawIpInterfaceAreDecapsulatedAsFromARawIpFile() throws Exception {
        assumeTrue(Tools.canBuildTestBed(), "needs root, ip and nft");
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "needs /dev/net/tun");
        EncapsulatedTraffic.generate(temp);
        EncapsulatedTraffic.relink(temp);
        String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
        String namespace = "gt-" + tag + "-tun";
        String device = "gt" + tag + "t";
        Tools.check("ip", "netns", "add", namespace);
        try {
            Tools.check("ip", "netns", "exec", namespace, "ip", "tuntap", "add", "dev", device, "mode", "tun");
            Tools.check("ip", "netns", "exec", namespace, "ip", "link", "set", device, "up");
            Path live = temp.resolve("live.pcap");
            Path sent = temp.resolve("sent.pcap");
            try (GulpInNamespace gulp = GulpInNamespace.start(namespace, null, live, temp.resolve("gulp.err"),
                    "-i", device, "-F", "-d", "--nano")) {
                assertTrue(gulp.awaitListening(20_000), gulp::stderrOrReason);
                assertTrue(gulp.stderrText().contains("raw IP"), gulp::stderrOrReason);
                Tools.check("timeout", "30", "ip", "netns", "exec", namespace, "/usr/bin/python3", "-c", WRITER,
                        temp.resolve("raw.pcap").toString(), sent.toString(), device);
                gulp.stopAfterDrain();
            }
            Path expected = temp.resolve("expected.pcap");
            GulpProcess.Result fromFile = GulpProcess.run(null, expected, "--read", sent.toString(), "-d", "--nano");
            assertEquals(0, fromFile.status(), fromFile.stderr());
            List<String> want = records(expected);
            assertTrue(want.size() > 150, want.size() + " inner frames expected");
            assertEquals(want, records(live));
            assertEquals(1, PcapFiles.read(live).linkType());
        } finally {
            Tools.run("ip", "netns", "del", namespace);
        }
    }

    private static List<String> records(Path file) throws Exception {
        return PcapFiles.read(file).records().stream().map(r -> HexFormat.of().formatHex(r.data()) + "/" + r.wirelen()).toList();
    }
}
