package gulp.cli;

import gulp.testing.EncapsulatedTraffic;
import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code gulp -d} on Linux cooked (SLL, SLL2) and raw IP captures of scapy-built tunnels: the same
 * Ethernet records as from the Ethernet original, and the inner frames tshark finds inside the
 * input are the frames of the output.
 */
class CookedAndRawDecapCommandTest {
    static Path dir;
    static PcapFiles.Capture fromEthernet;

    @BeforeAll
    static void generate(@TempDir Path temp) throws Exception {
        EncapsulatedTraffic.generate(temp);
        EncapsulatedTraffic.relink(temp);
        dir = temp;
        GulpProcess.Result result = GulpProcess.run(null, temp.resolve("ethernet.out"), "--read",
                temp.resolve("outer.pcap").toString(), "-d", "--nano");
        assertEquals(0, result.status(), result.stderr());
        fromEthernet = PcapFiles.read(temp.resolve("ethernet.out"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sll", "sll2", "raw"})
    void decapsulationGivesTheRecordsOfTheEthernetOriginal(String name) throws Exception {
        Path out = dir.resolve(name + ".out");
        GulpProcess.Result result = GulpProcess.run(null, out, "--read", dir.resolve(name + ".pcap").toString(), "-d", "--nano");
        assertEquals(0, result.status(), result.stderr());
        PcapFiles.Capture got = PcapFiles.read(out);
        assertEquals(1, got.linkType());
        assertEquals(fromEthernet.records().size(), got.records().size(), result.stderr());
        assertTrue(got.records().size() > 250);
        for (int i = 0; i < got.records().size(); i++) {
            PcapFiles.Record want = fromEthernet.records().get(i);
            PcapFiles.Record record = got.records().get(i);
            assertArrayEquals(want.data(), record.data(), name + " record " + (i + 1));
            assertEquals(want.wirelen(), record.wirelen(), name + " record " + (i + 1));
            assertEquals(want.seconds() * 1_000_000_000L + want.fraction(), record.seconds() * 1_000_000_000L + record.fraction());
        }
        assertEquals(-1, result.counter("packets skipped by decapsulation"), result.stderr()); // none: no such line
    }

    @ParameterizedTest
    @ValueSource(strings = {"sll", "sll2", "raw"})
    void theInnerFramesTsharkFindsInTheInputAreTheOutput(String name) throws Exception {
        assumeTrue(Tools.run("tshark", "-v").status() == 0, "tshark not installed");
        Path out = dir.resolve(name + "-tshark.out");
        assertEquals(0, GulpProcess.run(null, out, "--read", dir.resolve(name + ".pcap").toString(), "-d").status());
        List<String> inside = innermostEthernet(dir.resolve(name + ".pcap"), true);
        List<String> written = innermostEthernet(out, false);
        assertTrue(inside.size() > 200, inside.size() + " inner frames found by tshark");
        assertEquals(inside, written);
    }

    /** Real Linux cooked captures (Zeek's test traces) of ICMP, ICMPv6 and ARP: read whole, nothing in them is a tunnel. */
    @ParameterizedTest
    @CsvSource({"linux_dlt_sll2.pcap, 6", "linuxsll-arp.pcap, 12"})
    void realCookedCapturesAreReadAndTheirPlainPacketsCountedAsNotEncapsulation(String file, int packets) throws Exception {
        Path input = Path.of("src", "test", "resources", "captures", "zeek-traces", file);
        Path out = dir.resolve(file + ".out");
        GulpProcess.Result result = GulpProcess.run(null, out, "--read", input.toString(), "-d");
        assertEquals(0, result.status(), result.stderr());
        assertEquals(packets, result.counter("packets read"), result.stderr());
        assertEquals(packets, result.counter("packets skipped by decapsulation"), result.stderr());
        assertEquals(0, result.counter("records written"), result.stderr());
        assertTrue(result.stderr().contains("not encapsulation: " + packets + " packets"), result.stderr());
        PcapFiles.assertTcpdumpReads(out, 0);
    }

    /**
     * Per packet, tshark's innermost Ethernet addresses and EtherType. In the input only packets
     * with an Ethernet layer inside the tunnel count; tshark reads VXLAN-GPE IP payloads as Ethernet
     * it cannot decode further ("eth:ethertype:data"), so those are left out, as are the output's
     * synthetic headers (zero MACs) for IP payloads.
     */
    private static List<String> innermostEthernet(Path capture, boolean input) {
        Tools.Output tshark = Tools.run("tshark", "-n", "-r", capture.toString(), "-T", "fields", "-E", "occurrence=l",
                "-e", "eth.src", "-e", "eth.dst", "-e", "eth.type", "-e", "frame.protocols");
        assertEquals(0, tshark.status(), tshark.stderr());
        List<String> frames = new ArrayList<>();
        for (String line : tshark.stdout().split("\n")) {
            String[] f = line.split("\t", -1);
            if (f.length < 4 || f[0].isEmpty() || f[0].equals("00:00:00:00:00:00") || f[3].endsWith(":eth:ethertype:data")) {
                continue;
            }
            if (input && !f[3].contains(":eth:")) {
                continue;
            }
            frames.add(f[0] + " " + f[1] + " " + f[2]);
        }
        frames.sort(null);
        return frames;
    }
}
