package gulp.cli;

import gulp.format.PcapFileHeader;

import gulp.run.Options;
import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gulp -i -} and {@code gulp --read}: capture files through the ring, checked by tcpdump and tshark. */
class CaptureFileCommandTest {
    @TempDir
    Path dir;

    static Stream<Path> zeekFiles() throws IOException {
        return PcapFiles.zeekFiles().stream();
    }

    @ParameterizedTest
    @MethodSource("zeekFiles")
    void everyRecordOfARealCaptureComesOutByteIdentical(Path input) throws Exception {
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = GulpProcess.run(input, output, "-i", "-");
        assertEquals(0, result.status(), result.stderr());
        byte[] in = Files.readAllBytes(input);
        byte[] out = Files.readAllBytes(output);
        assertArrayEquals(Arrays.copyOfRange(in, 24, in.length), Arrays.copyOfRange(out, 24, out.length),
                "records byte-identical");
        PcapFiles.Capture capture = PcapFiles.read(output);
        assertEquals(PcapFileHeader.DEFAULT_SNAPLEN, capture.snaplen());
        assertEquals(1, capture.linkType());
        // tcpdump, the independent reader, sees the same packets and no damage.
        Tools.Output inDump = Tools.run("tcpdump", "-nn", "-tt", "-r", input.toString());
        Tools.Output outDump = Tools.run("tcpdump", "-nn", "-tt", "-r", output.toString());
        assertEquals(0, outDump.status(), outDump.stderr());
        assertEquals(inDump.stdout(), outDump.stdout());
        assertEquals(capture.records().size(), result.counter("records written"));
        assertEquals(capture.records().size(), result.counter("packets read"));
    }

    @Test
    void nanosecondInputWithNanoKeepsEveryNanosecond() throws Exception {
        Random random = new Random(3);
        List<PcapFiles.Record> records = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            byte[] data = new byte[60 + random.nextInt(1400)];
            random.nextBytes(data);
            records.add(new PcapFiles.Record(1_700_000_000L + i, random.nextInt(1_000_000_000), data.length, data));
        }
        Path input = dir.resolve("ns.pcap");
        Files.write(input, PcapFiles.write(new PcapFiles.Capture(true, false, 65535, 1, records)));
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = GulpProcess.run(input, output, "-i", "-", "--nano");
        assertEquals(0, result.status(), result.stderr());
        PcapFiles.Capture capture = PcapFiles.read(output);
        assertTrue(capture.nanosecond());
        assertEquals(records.size(), capture.records().size());
        for (int i = 0; i < records.size(); i++) {
            assertEquals(records.get(i).seconds(), capture.records().get(i).seconds());
            assertEquals(records.get(i).fraction(), capture.records().get(i).fraction(), "nanoseconds of record " + i);
            assertArrayEquals(records.get(i).data(), capture.records().get(i).data());
        }
        String tsharkIn = Tools.check("tshark", "-r", input.toString(), "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len");
        String tsharkOut = Tools.check("tshark", "-r", output.toString(), "-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len");
        assertEquals(tsharkIn, tsharkOut);
    }

    @Test
    void nanosecondInputWithoutNanoIsTruncatedToMicroseconds() throws Exception {
        byte[] data = new byte[64];
        Path input = dir.resolve("ns.pcap");
        Files.write(input, PcapFiles.write(new PcapFiles.Capture(true, false, 65535, 1,
                List.of(new PcapFiles.Record(1_700_000_000L, 123_456_789, 64, data)))));
        Path output = dir.resolve("out.pcap");
        assertEquals(0, GulpProcess.run(input, output, "-i", "-").status());
        PcapFiles.Capture capture = PcapFiles.read(output);
        assertEquals(false, capture.nanosecond());
        assertEquals(123_456, capture.records().get(0).fraction());
    }

    @Test
    void bigEndianInputComesOutLittleEndianWithTheSamePackets() throws Exception {
        Path input = PcapFiles.ZEEK.resolve("erspanII.pcap");
        PcapFiles.Capture original = PcapFiles.read(input);
        Path swapped = dir.resolve("be.pcap");
        Files.write(swapped, PcapFiles.write(new PcapFiles.Capture(false, true, original.snaplen(), original.linkType(), original.records())));
        Path output = dir.resolve("out.pcap");
        assertEquals(0, GulpProcess.run(swapped, output, "-i", "-").status());
        assertEquals(Tools.check("tcpdump", "-nn", "-tt", "-r", input.toString()),
                Tools.check("tcpdump", "-nn", "-tt", "-r", output.toString()));
    }

    @Test
    void pcapngWithSeveralSectionsDecodesTheSameInTshark() throws Exception {
        Path a = dir.resolve("a.pcapng");
        Path b = dir.resolve("b.pcapng");
        Tools.check("editcap", "-F", "pcapng", PcapFiles.ZEEK.resolve("vxlan.pcap").toString(), a.toString());
        Tools.check("editcap", "-F", "pcapng", PcapFiles.ZEEK.resolve("geneve.pcap").toString(), b.toString());
        Path both = dir.resolve("both.pcapng"); // concatenated pcapng = two sections
        Files.write(both, concat(Files.readAllBytes(a), Files.readAllBytes(b)));
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = GulpProcess.run(both, output, "-i", "-", "--nano");
        assertEquals(0, result.status(), result.stderr());
        String[] fields = {"-T", "fields", "-e", "frame.time_epoch", "-e", "frame.len", "-e", "frame.cap_len",
                "-e", "eth.src", "-e", "eth.dst", "-e", "ip.src", "-e", "ip.dst", "-e", "udp.srcport", "-e", "data.data"};
        String expected = Tools.check(concat("tshark", "-r", both.toString(), fields));
        String actual = Tools.check(concat("tshark", "-r", output.toString(), fields));
        assertEquals(expected, actual);
        assertTrue(PcapFiles.read(output).nanosecond(), "classic nanosecond pcap out");
    }

    @Test
    void simplePacketBlocksKeepTheInterfaceSnaplenNotTheirPadding() throws Exception {
        // SHB, IDB (Ethernet, snaplen 62), SPB (original length 100, 62 bytes kept, 2 bytes of padding).
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(28 + 20 + 80).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1).putInt(28);
        b.putInt(1).putInt(20).putShort((short) 1).putShort((short) 0).putInt(62).putInt(20);
        b.putInt(3).putInt(80).putInt(100);
        for (int i = 0; i < 62; i++) {
            b.put((byte) i);
        }
        b.put((byte) 0xEE).put((byte) 0xEE).putInt(80);
        Path input = dir.resolve("spb.pcapng");
        Files.write(input, b.array());
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = GulpProcess.run(input, output, "-i", "-");
        assertEquals(0, result.status(), result.stderr());
        PcapFiles.Record record = PcapFiles.read(output).records().get(0);
        assertEquals(62, record.data().length);
        assertEquals(100, record.wirelen());
        assertEquals(Tools.check("tshark", "-r", input.toString(), "-T", "fields", "-e", "frame.cap_len", "-e", "frame.len"),
                Tools.check("tshark", "-r", output.toString(), "-T", "fields", "-e", "frame.cap_len", "-e", "frame.len"));
    }

    @Test
    void severalFilesAreReadInOrder() throws Exception {
        Path first = PcapFiles.ZEEK.resolve("vxlan.pcap");
        Path second = PcapFiles.ZEEK.resolve("erspanI.pcap");
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = GulpProcess.run(null, output, "--read", first.toString(), "--read", second.toString());
        assertEquals(0, result.status(), result.stderr());
        assertEquals(Tools.check("tcpdump", "-nn", "-tt", "-r", first.toString())
                        + Tools.check("tcpdump", "-nn", "-tt", "-r", second.toString()),
                Tools.check("tcpdump", "-nn", "-tt", "-r", output.toString()));
    }

    @Test
    void snaplenCutsRecordsAndTheHeaderSaysSo() throws Exception {
        Path output = dir.resolve("out.pcap");
        assertEquals(0, GulpProcess.run(PcapFiles.ZEEK.resolve("erspan.pcap"), output, "-i", "-", "-s", "100").status());
        PcapFiles.Capture capture = PcapFiles.read(output);
        assertEquals(100, capture.snaplen());
        PcapFiles.Capture original = PcapFiles.read(PcapFiles.ZEEK.resolve("erspan.pcap"));
        for (int i = 0; i < original.records().size(); i++) {
            byte[] full = original.records().get(i).data();
            assertArrayEquals(Arrays.copyOf(full, Math.min(100, full.length)), capture.records().get(i).data());
            assertEquals(original.records().get(i).wirelen(), capture.records().get(i).wirelen());
        }
    }

    @Test
    void countStopsAfterThatManyPackets() throws Exception {
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = GulpProcess.run(PcapFiles.ZEEK.resolve("erspan.pcap"), output, "-i", "-", "--count", "10");
        assertEquals(0, result.status(), result.stderr());
        assertEquals(10, PcapFiles.read(output).records().size());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static String[] concat(String a, String b, String c, String[] rest) {
        String[] r = new String[3 + rest.length];
        r[0] = a;
        r[1] = b;
        r[2] = c;
        System.arraycopy(rest, 0, r, 3, rest.length);
        return r;
    }
}
