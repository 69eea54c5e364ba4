package gulp.cli;

import gulp.testing.GulpProcess;
import gulp.testing.OddCaptures;
import gulp.testing.PcapFiles;
import gulp.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static gulp.testing.OddCaptures.LE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Capture files libpcap reads, read the way libpcap reads them: header fields and records that
 * are odd but valid to libpcap, pcapng streams that cost memory, and {@code -f} compiled as
 * {@code tcpdump -r FILE EXPR} compiles it.
 */
class LibpcapCompatibilityCommandTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private static byte[] ethernetPcap(int linkTypeField, int snaplen) {
        return OddCaptures.pcap(LE, OddCaptures.MAGIC_MICROS, 2, 4, snaplen, linkTypeField, OddCaptures.mixedEthernet(12));
    }

    @ParameterizedTest
    @ValueSource(ints = {0x30000001, 0x24000001, 0x04000001})
    void linkTypeFieldKeepsItsUpperBitsAsLibpcapCopiesThem(int field) throws Exception {
        Path input = write("fcs.pcap", ethernetPcap(field, 262144));
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = GulpProcess.run(input, output, "-i", "-");
        assertEquals(0, result.status(), result.stderr());
        assertEquals(field, PcapFiles.read(output).linkType());
        Path tcpdump = dir.resolve("tcpdump.pcap");
        Tools.check("tcpdump", "-r", input.toString(), "-w", tcpdump.toString());
        assertEquals(PcapFiles.read(tcpdump).linkType(), PcapFiles.read(output).linkType());
    }

    @Test
    void fcsPresentBitLeavesTheLinkTypeEthernetForDecapsulationAndFilters() throws Exception {
        Path input = write("fcs.pcap", ethernetPcap(0x04000001, 262144));
        GulpProcess.Result decap = GulpProcess.run(input, dir.resolve("d.pcap"), "-i", "-", "-d", "--keep-other");
        assertEquals(0, decap.status(), decap.stderr());
        Path output = dir.resolve("f.pcap");
        GulpProcess.Result filtered = GulpProcess.run(input, output, "-i", "-", "-f", "udp port 53");
        assertEquals(0, filtered.status(), filtered.stderr());
        String expected = Tools.check("tcpdump", "-nn", "-r", input.toString(), "udp port 53");
        assertEquals(expected, Tools.check("tcpdump", "-nn", "-r", output.toString()));
        assertTrue(!PcapFiles.read(output).records().isEmpty());
    }

    @Test
    void recordsLongerThanTheFileSnaplenAreKeptWhole() throws Exception {
        List<OddCaptures.Rec> records = OddCaptures.mixedEthernet(12);
        Path input = write("snap64.pcap", ethernetPcap(1, 64));
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = GulpProcess.run(null, output, "--read", input.toString());
        assertEquals(0, result.status(), result.stderr());
        List<PcapFiles.Record> out = PcapFiles.read(output).records();
        assertEquals(records.size(), out.size());
        for (int i = 0; i < records.size(); i++) {
            assertArrayEquals(records.get(i).data(), out.get(i).data(), "record " + i + " whole, as Wireshark keeps it");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"version-2.2-lengths-swapped.pcap", "version-2.3-some-lengths-swapped.pcap", "kuznetzov.pcap"})
    void oldRecordLayoutsAreReadAsLibpcapReadsThem(String name) throws Exception {
        OddCaptures.Named capture = OddCaptures.wellFormed().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
        Path input = write(name, capture.bytes());
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = GulpProcess.run(input, output, "-i", "-");
        assertEquals(0, result.status(), result.stderr());
        assertEquals(Tools.check("tcpdump", "-nn", "-tt", "-r", input.toString()),
                Tools.check("tcpdump", "-nn", "-tt", "-r", output.toString()));
        assertEquals(12, PcapFiles.read(output).records().size());
    }

    // ---------------------------------------------------------------- pcapng memory and block sizes

    /** 10 million interface blocks, then packets on the last and the first: bounded memory, every packet. */
    @Test
    void pcapngWithMillionsOfInterfacesIsReadInBoundedMemory() throws Exception {
        int interfaces = 10_000_000;
        Path output = dir.resolve("out.pcap");
        ProcessBuilder builder = GulpProcess.builder("-i", "-");
        builder.redirectOutput(output.toFile()).redirectError(dir.resolve("err").toFile());
        Process gulp = builder.start();
        List<OddCaptures.Rec> packets = OddCaptures.mixedEthernet(3);
        try (OutputStream in = new BufferedOutputStream(gulp.getOutputStream(), 1 << 20)) {
            in.write(OddCaptures.shb(LE));
            byte[] idb = OddCaptures.idb(LE, 1, 262144, new byte[0]);
            for (int i = 0; i < interfaces; i++) {
                in.write(idb);
            }
            int[] on = {interfaces - 1, 0, 12345};
            for (int p = 0; p < packets.size(); p++) {
                OddCaptures.Rec r = packets.get(p);
                in.write(OddCaptures.epb(LE, on[p], r.seconds() * 1_000_000 + r.fraction(), r.data().length, r.data().length,
                        r.data(), new byte[0]));
            }
        }
        int status = gulp.waitFor();
        String stderr = Files.readString(dir.resolve("err"));
        assertEquals(0, status, stderr);
        List<PcapFiles.Record> out = PcapFiles.read(output).records();
        assertEquals(packets.size(), out.size());
        for (int p = 0; p < packets.size(); p++) {
            assertArrayEquals(packets.get(p).data(), out.get(p).data());
        }
    }

    @Test
    void pcapngBlocksUpTo16MiBAreReadAndLargerOnesRefusedAfterThePacketsBefore() throws Exception {
        List<OddCaptures.Rec> packets = OddCaptures.mixedEthernet(3);
        var out = new java.io.ByteArrayOutputStream();
        out.writeBytes(OddCaptures.shb(LE));
        // an interface block of 16 MiB (its comment options), the largest tcpdump accepts
        int room = 16 * 1024 * 1024 - 12 - 8 - 4;
        var options = new java.io.ByteArrayOutputStream();
        while (room - options.size() >= 65536 + 4) {
            options.writeBytes(OddCaptures.option(LE, 1, new byte[65532]));
        }
        options.writeBytes(OddCaptures.option(LE, 1, new byte[room - options.size() - 4]));
        byte[] idb = OddCaptures.idb(LE, 1, 262144, options.toByteArray());
        assertEquals(16 * 1024 * 1024, idb.length);
        out.writeBytes(idb);
        for (OddCaptures.Rec r : packets.subList(0, 2)) {
            out.writeBytes(OddCaptures.epb(LE, 0, r.seconds() * 1_000_000, r.data().length, r.data().length, r.data(), new byte[0]));
        }
        byte[] tooLarge = OddCaptures.epb(LE, 0, 0, 60, 60, new byte[60], new byte[16 * 1024 * 1024]);
        Path good = write("large.pcapng", out.toByteArray());
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = GulpProcess.run(good, output, "-i", "-");
        assertEquals(0, result.status(), result.stderr());
        assertEquals(2, PcapFiles.read(output).records().size());
        assertEquals(0, Tools.run("tcpdump", "-r", good.toString()).status(), "tcpdump reads it too");

        out.writeBytes(tooLarge);
        Path bad = write("too-large.pcapng", out.toByteArray());
        GulpProcess.Result refused = GulpProcess.run(bad, output, "-i", "-");
        assertEquals(Main.EXIT_INPUT, refused.status(), refused.stderr());
        assertTrue(refused.errorLine().contains("has a bad length (" + tooLarge.length + ")"), refused.stderr());
        assertEquals(2, PcapFiles.read(output).records().size(), "the packets before it are written");
    }

    // ---------------------------------------------------------------- -f on file input, as tcpdump -r

    @ParameterizedTest
    @ValueSource(strings = {"bsd-loopback.pcap", "bsd-loopback-big-endian.pcap", "raw-ip.pcap"})
    void fileFiltersMatchWhatTcpdumpMatchesOnLoopbackAndRawIp(String name) throws Exception {
        OddCaptures.Named capture = OddCaptures.wellFormed().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
        Path input = write(name, capture.bytes());
        for (String expression : List.of("ip6", "ip", "udp port 53", "ip6 and udp port 53")) {
            Path output = dir.resolve("out.pcap");
            GulpProcess.Result result = GulpProcess.run(null, output, "--read", input.toString(), "-f", expression);
            assertEquals(0, result.status(), expression + ": " + result.stderr());
            String expected = Tools.check("tcpdump", "-nn", "-tt", "-r", input.toString(), expression);
            assertTrue(!expected.isEmpty(), expression);
            assertEquals(expected, Tools.check("tcpdump", "-nn", "-tt", "-r", output.toString()), name + " '" + expression + "'");
        }
    }

    @Test
    void bsdLoopbackIpv6IsMatchedForEveryBsdAddressFamily() throws Exception {
        OddCaptures.Named capture = OddCaptures.wellFormed().stream().filter(c -> c.name().equals("bsd-loopback.pcap")).findFirst().orElseThrow();
        Path input = write("lo.pcap", capture.bytes());
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = GulpProcess.run(input, output, "-i", "-", "-f", "ip6");
        assertEquals(0, result.status(), result.stderr());
        List<PcapFiles.Record> out = PcapFiles.read(output).records();
        assertEquals(4, out.size(), "AF_INET6 as 24, 28, 30 and 24");
        for (PcapFiles.Record r : out) {
            int family = ByteBuffer.wrap(r.data()).order(LE).getInt(0);
            assertTrue(family == 24 || family == 28 || family == 30, "family " + family);
        }
    }
}
