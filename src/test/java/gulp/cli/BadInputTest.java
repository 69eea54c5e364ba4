package gulp.cli;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input and bad options: one clear line, a distinct non-zero status, never a stack trace, and
 * every complete record that came before the problem is written as a valid pcap.
 */
class BadInputTest {
    @TempDir
    Path dir;

    private GulpProcess.Result runOn(byte[] input, Path output, String... args) throws Exception {
        Path in = dir.resolve("in.bin");
        Files.write(in, input);
        return GulpProcess.run(in, output, args.length == 0 ? new String[] {"-i", "-"} : args);
    }

    private static void assertOneCleanLine(GulpProcess.Result result, int status, String expected) {
        assertEquals(status, result.status(), result.stderr());
        assertTrue(result.errorLine().contains(expected), "expected '" + expected + "' in: " + result.stderr());
        assertFalse(result.stderr().contains("Exception"), result.stderr());
        assertFalse(result.stderr().contains("\tat "), result.stderr());
    }

    @Test
    void emptyInputSaysSo() throws Exception {
        assertOneCleanLine(runOn(new byte[0], dir.resolve("o")), Main.EXIT_INPUT, "empty input");
    }

    @Test
    void unknownMagicIsNamed() throws Exception {
        assertOneCleanLine(runOn("hello, this is not a capture".getBytes(), dir.resolve("o")), Main.EXIT_INPUT,
                "unknown file format (magic 0x68656c6c)");
    }

    @Test
    void truncatedFileHeaderIsReported() throws Exception {
        byte[] zeek = Files.readAllBytes(PcapFiles.ZEEK.resolve("vxlan.pcap"));
        assertOneCleanLine(runOn(Arrays.copyOf(zeek, 10), dir.resolve("o")), Main.EXIT_INPUT,
                "input truncated in the file header");
    }

    @Test
    void recordCutShortKeepsEveryCompleteRecordBeforeIt() throws Exception {
        byte[] zeek = Files.readAllBytes(PcapFiles.ZEEK.resolve("erspan.pcap"));
        int complete = 0;
        int at = 24;
        while (at + 16 <= zeek.length / 2) {
            int caplen = ByteBuffer.wrap(zeek, at + 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
            if (at + 16 + caplen > zeek.length / 2) {
                break;
            }
            at += 16 + caplen;
            complete++;
        }
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = runOn(Arrays.copyOf(zeek, zeek.length / 2), output);
        assertOneCleanLine(result, Main.EXIT_INPUT, "input truncated after " + complete + " records");
        assertEquals(complete, PcapFiles.read(output).records().size());
        Tools.Output dump = Tools.run("tcpdump", "-r", output.toString());
        assertEquals(0, dump.status(), dump.stderr());
    }

    @Test
    void capturedLengthAboveOriginalLengthIsReadCountedAndReportedOnce() throws Exception {
        byte[] zeek = Files.readAllBytes(PcapFiles.ZEEK.resolve("vxlan.pcap"));
        PcapFiles.Capture capture = PcapFiles.parse(zeek);
        ByteBuffer b = ByteBuffer.wrap(zeek).order(ByteOrder.LITTLE_ENDIAN);
        int at = 24;
        for (int i = 0; i < capture.records().size(); i++) {
            int caplen = b.getInt(at + 8);
            if (i == 1 || i == 3) {
                b.putInt(at + 12, caplen - 2); // original length two less than captured, as libpcap reads it
            }
            at += 16 + caplen;
        }
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = runOn(zeek, output);
        assertEquals(0, result.status(), result.stderr());
        PcapFiles.Capture out = PcapFiles.read(output);
        assertEquals(capture.records().size(), out.records().size(), "every record, the damaged ones too");
        for (int i = 0; i < capture.records().size(); i++) {
            assertArrayEquals(capture.records().get(i).data(), out.records().get(i).data());
            assertEquals(capture.records().get(i).wirelen(), out.records().get(i).wirelen(), "original length raised to the captured one");
        }
        assertEquals(2, result.counter("records with a captured length above the original length"
                + " (kept; the original length is written as the captured length)"));
        assertEquals(1, result.stderr().lines().filter(l -> l.contains("above the original length")).count(), result.stderr());
        Tools.Output dump = Tools.run("tcpdump", "-r", output.toString());
        assertEquals(0, dump.status(), dump.stderr());
    }

    @Test
    void absurdCapturedLengthIsRefused() throws Exception {
        byte[] zeek = Files.readAllBytes(PcapFiles.ZEEK.resolve("vxlan.pcap"));
        ByteBuffer.wrap(zeek).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 8, 0x7fff0000).putInt(24 + 12, 0x7fff0000);
        assertOneCleanLine(runOn(zeek, dir.resolve("o")), Main.EXIT_INPUT, "exceeds the limit");
    }

    @Test
    void pcapngBlockWithBadLengthIsRefused() throws Exception {
        Path ng = dir.resolve("in.pcapng");
        Tools.check("editcap", "-F", "pcapng", PcapFiles.ZEEK.resolve("vxlan.pcap").toString(), ng.toString());
        byte[] bytes = Files.readAllBytes(ng);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int shb = b.getInt(4);
        int idb = b.getInt(shb + 4);
        int firstPacket = shb + idb;
        b.putInt(firstPacket + b.getInt(firstPacket + 4) + 4, 13); // second packet: length not a multiple of 4
        Path output = dir.resolve("out.pcap");
        GulpProcess.Result result = runOn(bytes, output);
        assertOneCleanLine(result, Main.EXIT_INPUT, "has a bad length (13)");
        assertEquals(1, PcapFiles.read(output).records().size());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "-r 0|-r must be between 1",
            "-z 3|-z must be a power of two",
            "-s -1|-s must be between 0",
            "-r abc|-r takes a whole number",
            "--bogus|unknown option --bogus",
            "-y|unknown option -y",
            "-V -x|is suspicious as argument of -V",
            "--count 0|--count must be between 1",
            "--duration -3|--duration takes a positive number",
            "-r 1 -s 1048576|a ring of 1 MiB cannot hold a record of -s 1048576 bytes",
    })
    void badOptionsGiveOneLineAndUsageStatus(String args, String expected) throws Exception {
        GulpProcess.Result result = GulpProcess.run(PcapFiles.ZEEK.resolve("vxlan.pcap"), dir.resolve("o"),
                args.split(" "));
        assertOneCleanLine(result, Main.EXIT_USAGE, expected);
        assertTrue(result.stderr().contains("Try 'gulp --help'"));
    }

    @Test
    void missingInputFileIsNamed() throws Exception {
        GulpProcess.Result result = GulpProcess.run(null, dir.resolve("o"), "--read", dir.resolve("nope.pcap").toString());
        assertOneCleanLine(result, Main.EXIT_INPUT, "nope.pcap: no such file");
    }

    @Test
    void helpAndVersionSucceed() throws Exception {
        assertEquals(0, GulpProcess.run(null, null, "--help").status());
        GulpProcess.Result version = GulpProcess.run(null, null, "-v");
        assertEquals(0, version.status());
        assertTrue(version.stderr().startsWith("gulp " + Main.VERSION));
    }
}
