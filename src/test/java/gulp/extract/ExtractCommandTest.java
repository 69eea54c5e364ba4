package gulp.extract;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gulp extract} end to end on small generated directories. */
class ExtractCommandTest {
    static final long BASE = 1_764_583_200_000_000_000L;

    /** An Ethernet/IPv4/UDP frame from 10.0.0.{host} carrying {@code id}. */
    static byte[] frame(int host, int port, int id) {
        ByteBuffer b = ByteBuffer.allocate(14 + 20 + 8 + 4);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}).putShort((short) 0x0800);
        b.put((byte) 0x45).put((byte) 0).putShort((short) 32).putInt(0).put((byte) 64).put((byte) 17).putShort((short) 0);
        b.put(new byte[] {10, 0, 0, (byte) host}).put(new byte[] {10, 0, 1, 1});
        b.putShort((short) port).putShort((short) 9).putShort((short) 12).putShort((short) 0).putInt(id);
        return b.array();
    }

    static void write(Path file, long... timestamps) throws IOException {
        List<PcapFiles.Frame> frames = new ArrayList<>();
        for (int i = 0; i < timestamps.length; i++) {
            frames.add(new PcapFiles.Frame(timestamps[i], 46, frame(1 + i % 5, 1000 + i, (int) (timestamps[i] - BASE))));
        }
        PcapFiles.writeFrames(file, frames);
    }

    static List<Long> extracted(Path out) throws IOException {
        List<Long> ts = new ArrayList<>();
        for (PcapFiles.Frame f : PcapFiles.read(out).frames()) {
            ts.add(f.tsNanos());
        }
        return ts;
    }

    static String at(long nanos) {
        return (nanos / 1_000_000_000L) + "." + String.format("%09d", nanos % 1_000_000_000L);
    }

    @Test
    void windowIncludesFromAndExcludesToToTheNanosecond(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        write(d.resolve("a.pcap"), BASE + 99, BASE + 100, BASE + 101, BASE + 199, BASE + 200, BASE + 201);
        Path out = dir.resolve("out.pcap");
        var r = GulpProcess.run(null, out, "extract", d.toString(), "--from", at(BASE + 100), "--to", at(BASE + 200), "-q");
        assertEquals(0, r.status(), r.stderr());
        assertEquals(List.of(BASE + 100, BASE + 101, BASE + 199), extracted(out));
    }

    @Test
    void filesOfSeveralDirectoriesComeOutInTimestampOrderEqualTimesInDirectoryOrder(@TempDir Path dir) throws Exception {
        Path d1 = Files.createDirectory(dir.resolve("d1"));
        Path d2 = Files.createDirectory(dir.resolve("d2"));
        write(d1.resolve("b.pcap"), BASE + 5, BASE + 7);
        write(d1.resolve("a.pcap"), BASE + 1, BASE + 4);
        PcapFiles.writeFrames(d2.resolve("c.pcap"), List.of(new PcapFiles.Frame(BASE + 2, 46, frame(99, 1, 0)),
                new PcapFiles.Frame(BASE + 4, 46, frame(99, 1, 0)), new PcapFiles.Frame(BASE + 6, 46, frame(99, 1, 0))));
        Path out = dir.resolve("out.pcap");
        var r = GulpProcess.run(null, out, "extract", d1.toString(), d2.toString(), "-q");
        assertEquals(0, r.status(), r.stderr());
        List<PcapFiles.Frame> frames = PcapFiles.read(out).frames();
        assertEquals(List.of(BASE + 1, BASE + 2, BASE + 4, BASE + 4, BASE + 5, BASE + 6, BASE + 7), extracted(out));
        // the two packets at +4: a.pcap's (d1, named first; from 10.0.0.2) before c.pcap's (from 10.0.0.99)
        assertEquals(2, frames.get(2).data()[29]);
        assertEquals(99, frames.get(3).data()[29]);
    }

    @Test
    void aHostFilterSkipsFilesTheIndexRulesOutAndGivesWhatAFullScanGives(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        write(d.resolve("a.pcap"), BASE + 1, BASE + 2, BASE + 3);
        List<PcapFiles.Frame> other = List.of(new PcapFiles.Frame(BASE + 4, 46, frame(77, 80, 4)));
        PcapFiles.writeFrames(d.resolve("b.pcap"), other);
        var index = GulpProcess.run(null, null, "index", d.toString());
        assertEquals(0, index.status(), index.stderr());
        assertTrue(Files.exists(d.resolve("a.pcap.idx")));
        Path out = dir.resolve("out.pcap");
        var r = GulpProcess.run(null, out, "extract", d.toString(), "-f", "host 10.0.0.77");
        assertEquals(0, r.status(), r.stderr());
        assertEquals(List.of(BASE + 4), extracted(out));
        assertTrue(r.stderr().contains("1 files skipped"), r.stderr());
    }

    @Test
    void aFileWhoseClockSteppedBackIsMergedAsMergecapMergesIt(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        write(d.resolve("a.pcap"), BASE + 5, BASE + 1, BASE + 7); // the clock stepped back after +5
        write(d.resolve("b.pcap"), BASE + 3);
        Path out = dir.resolve("out.pcap");
        var r = GulpProcess.run(null, out, "extract", d.toString(), "-q");
        assertEquals(0, r.status(), r.stderr());
        // mergecap: heads +5, +3 give +3; then +5, +1, +7 in a.pcap's order
        assertEquals(List.of(BASE + 3, BASE + 5, BASE + 1, BASE + 7), extracted(out));
        r = GulpProcess.run(null, out, "extract", d.toString(), "--from", at(BASE + 1), "--to", at(BASE + 6), "-q");
        assertEquals(List.of(BASE + 3, BASE + 5, BASE + 1), extracted(out));
    }

    @Test
    void theOutputIsWhatMergecapEditcapAndTcpdumpGive(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(gulp.testing.Tools.run("mergecap", "-v").status() == 0
                && gulp.testing.Tools.run("editcap", "-v").status() == 0, "needs Wireshark's mergecap and editcap");
        Random random = new Random(7);
        Path d1 = Files.createDirectory(dir.resolve("d1"));
        Path d2 = Files.createDirectory(dir.resolve("d2"));
        List<String> files = new ArrayList<>();
        for (Path d : List.of(d1, d2)) {
            for (int f = 0; f < 3; f++) {
                List<PcapFiles.Frame> frames = new ArrayList<>();
                long t = BASE + f * 40_000L + random.nextInt(20_000);
                for (int i = 0; i < 200; i++) {
                    t += random.nextInt(500);
                    frames.add(new PcapFiles.Frame(t, 46, frame(1 + random.nextInt(20), 1000 + random.nextInt(5), i)));
                }
                Path file = d.resolve("f" + f + ".pcap");
                PcapFiles.writeFrames(file, frames);
                files.add(file.toString());
            }
        }
        long from = BASE + 30_011, to = BASE + 90_007;
        String filter = "host 10.0.0.3 or port 1002";
        Path merged = dir.resolve("m.pcap"), window = dir.resolve("w.pcap"), expected = dir.resolve("e.pcap");
        List<String> merge = new ArrayList<>(List.of("mergecap", "-F", "nsecpcap", "-w", merged.toString()));
        merge.addAll(files);
        assertEquals(0, gulp.testing.Tools.run(merge.toArray(String[]::new)).status());
        assertEquals(0, gulp.testing.Tools.run("editcap", "-F", "nsecpcap", "-A", at(from), "-B", at(to), merged.toString(),
                window.toString()).status());
        assertEquals(0, gulp.testing.Tools.run("tcpdump", "--time-stamp-precision=nano", "-r", window.toString(), "-w",
                expected.toString(), filter).status());
        Path out = dir.resolve("out.pcap");
        var r = GulpProcess.run(null, out, "extract", d1.toString(), d2.toString(), "--from", at(from), "--to", at(to),
                "-f", filter, "-q");
        assertEquals(0, r.status(), r.stderr());
        byte[] body = PcapFiles.body(out);
        assertTrue(body.length > 1000, "some packets: " + body.length);
        org.junit.jupiter.api.Assertions.assertArrayEquals(PcapFiles.body(expected), body);
    }

    @Test
    void aSeekByTheIndexTimeTableMissesNoPacketOfTheWindowEvenAmongEqualTimestamps(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        long[] ts = new long[6000]; // about 370 KB: several time-table entries
        for (int i = 0; i < ts.length; i++) {
            ts[i] = BASE + (i / 700) * 1000; // runs of 700 equal timestamps, longer than a table spacing
        }
        write(d.resolve("a.pcap"), ts);
        assertEquals(0, GulpProcess.run(null, null, "index", d.toString()).status());
        FileIndex index = FileIndex.load(d.resolve("a.pcap.idx"));
        assertTrue(index.tableTimes.length > 3, "entries: " + index.tableTimes.length);
        for (long from : new long[] {BASE + 3000, BASE + 2999, BASE + 3001, BASE + 8000}) {
            Path out = dir.resolve("out.pcap");
            var r = GulpProcess.run(null, out, "extract", d.toString(), "--from", at(from), "--to", at(from + 2000), "-q");
            assertEquals(0, r.status(), r.stderr());
            long f = from;
            List<Long> expected = java.util.Arrays.stream(ts).filter(t -> t >= f && t < f + 2000).boxed().toList();
            assertEquals(expected, extracted(out), "from " + from);
        }
    }

    @Test
    void aBadTimeIsOneLineAndStatus2(@TempDir Path dir) throws Exception {
        var r = GulpProcess.run(null, null, "extract", dir.toString(), "--from", "yesterday-ish");
        assertEquals(2, r.status());
        assertEquals(1, r.stderr().strip().lines().count(), r.stderr());
        assertTrue(r.stderr().startsWith("gulp: --from: bad time"), r.stderr());
    }

    @Test
    void aBadFilterIsOneLineAndStatus2(@TempDir Path dir) throws Exception {
        write(dir.resolve("a.pcap"), BASE + 1);
        var r = GulpProcess.run(null, null, "extract", dir.toString(), "-f", "hots 10.0.0.1", "-q");
        assertEquals(2, r.status(), r.stderr());
        assertTrue(r.errorLine().startsWith("gulp: bad filter"), r.stderr());
    }

    @Test
    void anIndexThatDisagreesWithItsFileIsNotUsed(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        write(d.resolve("a.pcap"), BASE + 1, BASE + 2);
        assertEquals(0, GulpProcess.run(null, null, "index", d.toString()).status());
        write(d.resolve("a.pcap"), BASE + 10, BASE + 20, BASE + 30); // rewritten: the index is stale
        Path out = dir.resolve("out.pcap");
        var r = GulpProcess.run(null, out, "extract", d.toString(), "-q");
        assertEquals(0, r.status(), r.stderr());
        assertEquals(List.of(BASE + 10, BASE + 20, BASE + 30), extracted(out));
    }

    @Test
    void aTruncatedLastFileGivesItsCompleteRecords(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        write(d.resolve("a.pcap"), BASE + 1, BASE + 2, BASE + 3);
        byte[] all = Files.readAllBytes(d.resolve("a.pcap"));
        Files.write(d.resolve("a.pcap"), java.util.Arrays.copyOf(all, all.length - 10));
        Path out = dir.resolve("out.pcap");
        var r = GulpProcess.run(null, out, "extract", d.toString(), "-q");
        assertEquals(0, r.status(), r.stderr());
        assertEquals(List.of(BASE + 1, BASE + 2), extracted(out));
    }

    @Test
    void listNamesTheFilesOfTheWindowAndWarnsOfGaps(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        write(d.resolve("a.pcap"), BASE, BASE + 1_000_000_000L);
        write(d.resolve("b.pcap"), BASE + 600_000_000_000L);
        ProcessBuilder b = GulpProcess.builder("extract", d.toString(), "--list");
        Process p = b.start();
        String stdout = new String(p.getInputStream().readAllBytes());
        String stderr = new String(p.getErrorStream().readAllBytes());
        assertEquals(0, p.waitFor(), stderr);
        assertTrue(stdout.contains("a.pcap") && stdout.contains("b.pcap"), stdout);
        assertTrue(stderr.contains("warning: no file covers"), stderr);
    }

    @Test
    void filesFromSeveralRandomDirectoriesMergeLikeASort(@TempDir Path dir) throws Exception {
        Random random = new Random(13);
        List<Long> all = new ArrayList<>();
        List<String> args = new ArrayList<>(List.of("extract"));
        for (int d = 0; d < 3; d++) {
            Path sub = Files.createDirectory(dir.resolve("d" + d));
            args.add(sub.toString());
            for (int f = 0; f < 3; f++) {
                long[] ts = new long[20];
                long t = BASE + random.nextInt(1000);
                for (int i = 0; i < ts.length; i++) {
                    t += 1 + random.nextInt(100);
                    ts[i] = t;
                    all.add(t);
                }
                write(sub.resolve("f" + f + ".pcap"), ts);
            }
        }
        all.sort(null);
        long from = all.get(17), to = all.get(151);
        args.addAll(List.of("--from", at(from), "--to", at(to), "-q"));
        Path out = dir.resolve("out.pcap");
        var r = GulpProcess.run(null, out, args.toArray(String[]::new));
        assertEquals(0, r.status(), r.stderr());
        List<Long> expected = all.stream().filter(t -> t >= from && t < to).toList();
        assertEquals(expected, extracted(out));
    }
}
