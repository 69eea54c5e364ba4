package gulp.extract;

import gulp.capture.PacketHandler;
import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static gulp.extract.ExtractCommandTest.BASE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The index an {@code -o} run keeps beside its files, and extraction from what a run leaves. */
class WriterIndexTest {
    private static Path input(Path dir, int packets) throws Exception {
        List<PcapFiles.Frame> frames = new ArrayList<>();
        for (int i = 0; i < packets; i++) {
            // microsecond steps: gulp -o writes microseconds by default
            frames.add(new PcapFiles.Frame(BASE + i * 1000L, 46, ExtractCommandTest.frame(1 + i % 200, 1000 + i % 7, i)));
        }
        Path in = dir.resolve("in.pcap");
        PcapFiles.writeFrames(in, frames);
        return in;
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theIndexTheWriterKeepsIsTheOneReadingTheFileBuilds(@TempDir Path dir) throws Exception {
        indexesAreTheOnesReadingTheFilesBuilds(dir, 3000, "--rotate-size", "40K");
    }

    @Test
    void theIndexOfRecordsThatWrapAroundTheRingIsTheOneReadingTheFileBuilds(@TempDir Path dir) throws Exception {
        // A 1 MiB ring and 62-byte records: records, and the bytes the index reads, straddle its end at every turn.
        indexesAreTheOnesReadingTheFilesBuilds(dir, 60000, "-r", "1", "--rotate-size", "600K");
    }

    private static void indexesAreTheOnesReadingTheFilesBuilds(Path dir, int packets, String... options) throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        List<String> args = new ArrayList<>(List.of("-i", "-", "-o", out.toString(), "-q"));
        args.addAll(List.of(options));
        var r = GulpProcess.run(input(dir, packets), null, args.toArray(String[]::new));
        assertEquals(0, r.status(), r.stderr());
        List<String> names = names(out);
        assertTrue(names.stream().noneMatch(n -> n.endsWith(".part")), names.toString());
        int files = 0;
        for (String n : names) {
            if (!n.endsWith(".pcap")) {
                continue;
            }
            files++;
            Path file = out.resolve(n);
            Path index = out.resolve(n + ".idx");
            assertTrue(Files.exists(index), "no index beside " + n + ": " + names);
            try (FileChannel c = FileChannel.open(file)) {
                CaptureFormat format = CaptureFormat.probe(file, c);
                FileIndex scanned = Catalog.scan(file, c, format, c.size());
                assertArrayEquals(scanned.encode(), Files.readAllBytes(index), n);
            }
        }
        assertTrue(files > 3, names.toString());
    }

    @Test
    void pcapngFilesGetAStoredIndexAndExtractAsPcapngGivesThePacketsOfAPcapExtract(@TempDir Path dir) throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        var r = GulpProcess.run(input(dir, 3000), null, "-i", "-", "-o", out.toString(), "--format", "pcapng",
                "--rotate-size", "40K", "-q");
        assertEquals(0, r.status(), r.stderr());
        List<String> names = names(out);
        List<String> captures = names.stream().filter(n -> n.endsWith(".pcapng")).toList();
        assertTrue(captures.size() > 3, names.toString());
        for (String n : captures) {
            assertTrue(names.contains(n + ".idx"), "no index beside " + n + ": " + names);
        }
        Process listing = GulpProcess.builder("extract", out.toString(), "--list").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String list = new String(listing.getInputStream().readAllBytes());
        assertEquals(0, listing.waitFor(), list);
        List<String> lines = list.lines().filter(l -> l.contains(".pcapng")).toList();
        assertEquals(captures.size(), lines.size(), list);
        assertTrue(lines.stream().allMatch(l -> l.endsWith("indexed")), "the stored indexes are used: " + list);
        // A window inside the run, from pcapng files, written as pcapng and as pcap: the same packets.
        String from = BASE / 1_000_000_000L + ".0005"; // packets are a microsecond apart
        String to = BASE / 1_000_000_000L + ".00225";
        Path asPcapng = dir.resolve("x.pcapng");
        Path asPcap = dir.resolve("x.pcap");
        var a = GulpProcess.run(null, asPcapng, "extract", out.toString(), "--from", from, "--to", to, "--format", "pcapng", "-q");
        assertEquals(0, a.status(), a.stderr());
        var b = GulpProcess.run(null, asPcap, "extract", out.toString(), "--from", from, "--to", to, "-q");
        assertEquals(0, b.status(), b.stderr());
        assertTrue(gulp.testing.Tools.check("capinfos", "-t", asPcapng.toString()).contains("pcapng"));
        String fields = "-Tfields";
        String ng = gulp.testing.Tools.check("tshark", "-r", asPcapng.toString(), fields, "-e", "frame.time_epoch", "-e", "frame.len",
                "-e", "ip.src", "-e", "udp.srcport");
        String classic = gulp.testing.Tools.check("tshark", "-r", asPcap.toString(), fields, "-e", "frame.time_epoch", "-e", "frame.len",
                "-e", "ip.src", "-e", "udp.srcport");
        assertEquals(1750, ng.lines().count(), "packets 500 to 2249");
        assertEquals(classic, ng);
    }

    @Test
    void retentionDeletesAFilesIndexWithIt(@TempDir Path dir) throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        var r = GulpProcess.run(input(dir, 3000), null, "-i", "-", "-o", out.toString(), "--rotate-size", "40K", "-W", "2", "-q");
        assertEquals(0, r.status(), r.stderr());
        List<String> names = names(out);
        assertEquals(2, names.stream().filter(n -> n.endsWith(".pcap")).count(), names.toString());
        assertEquals(2, names.stream().filter(n -> n.endsWith(".pcap.idx")).count(), names.toString());
    }

    @Test
    void packetsOfARunKilledWhileWritingAreExtractedBeforeAndAfterRecovery(@TempDir Path dir) throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        byte[] capture = Files.readAllBytes(input(dir, 500));
        Process gulp = GulpProcess.builder("-i", "-", "-o", out.toString(), "-q")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        OutputStream stdin = gulp.getOutputStream();
        stdin.write(capture);
        stdin.flush(); // left open: gulp is still capturing when it is killed
        Path part = out.resolve(".pcap000000.pcap.part");
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!(Files.exists(part) && Files.size(part) >= capture.length) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        gulp.destroyForcibly(); // SIGKILL
        gulp.waitFor();
        assertTrue(Files.size(part) >= capture.length); // O_DIRECT may leave its last block padded with zeros
        Path extracted = dir.resolve("x.pcap");
        var r = GulpProcess.run(null, extracted, "extract", out.toString(), "-q");
        assertEquals(0, r.status(), r.stderr());
        assertEquals(500, PcapFiles.read(extracted).records().size());
        // The next run recovers the file (renamed); its packets come out the same.
        Path empty = dir.resolve("empty.pcap");
        PcapFiles.writeFrames(empty, List.of());
        var next = GulpProcess.run(empty, null, "-i", "-", "-o", out.toString(), "-q");
        assertFalse(Files.exists(part));
        assertEquals(0, next.status(), next.stderr());
        Path again = dir.resolve("y.pcap");
        r = GulpProcess.run(null, again, "extract", out.toString(), "-q");
        assertEquals(0, r.status(), r.stderr());
        assertEquals(PcapFiles.body(extracted).length, PcapFiles.body(again).length);
        assertArrayEquals(PcapFiles.body(extracted), PcapFiles.body(again));
    }

    @Test
    void packetsOfTheFileBeingWrittenAreExtractableWithinFiveSecondsWithItsIndexSoFar(@TempDir Path dir) throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        byte[] capture = Files.readAllBytes(input(dir, 2000));
        Process gulp = GulpProcess.builder("-i", "-", "-o", out.toString(), "-q")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            OutputStream stdin = gulp.getOutputStream();
            stdin.write(capture);
            stdin.flush(); // still capturing
            Path part = out.resolve(".pcap000000.pcap.part");
            long startDeadline = System.nanoTime() + 30_000_000_000L; // a loaded machine starts a JVM slowly
            while (!Files.exists(part) && System.nanoTime() < startDeadline) {
                Thread.sleep(20);
            }
            long start = System.nanoTime(); // capturing: from here, 5 s (an extraction begun by then counts)
            Path indexSoFar = out.resolve(".pcap000000.pcap.idx.part");
            int extracted = 0;
            boolean last = false;
            while (!last && (extracted < 2000 || !Files.exists(indexSoFar))) {
                Thread.sleep(200);
                last = System.nanoTime() - start >= 5_000_000_000L;
                Path x = dir.resolve("x.pcap");
                var r = GulpProcess.run(null, x, "extract", out.toString(), "-q");
                assertEquals(0, r.status(), r.stderr());
                extracted = PcapFiles.read(x).records().size();
            }
            assertEquals(2000, extracted);
            assertTrue(Files.exists(indexSoFar), names(out).toString());
            FileIndex soFar = FileIndex.load(indexSoFar);
            assertEquals(2000, soFar.packets);
        } finally {
            gulp.getOutputStream().close();
            gulp.waitFor();
        }
    }

    @Test
    void aTrickleOfTrafficRewritesTheIndexSoFarAtMostOnceASecondAndItCatchesUp(@TempDir Path dir) throws Exception {
        Path out = Files.createDirectory(dir.resolve("out"));
        byte[] capture = Files.readAllBytes(input(dir, 200));
        Process gulp = GulpProcess.builder("-i", "-", "-o", out.toString(), "-q")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Path indexSoFar = out.resolve(".pcap000000.pcap.idx.part");
        try {
            OutputStream stdin = gulp.getOutputStream();
            java.nio.ByteBuffer records = java.nio.ByteBuffer.wrap(capture).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            stdin.write(capture, 0, PcapFiles.HEADER_LENGTH);
            int at = PcapFiles.HEADER_LENGTH;
            int sent = 0;
            java.util.Set<Object> versions = new java.util.HashSet<>(); // each publication renames a new file into place
            long trickleStart = 0;
            long nextSend = System.nanoTime();
            while (at < capture.length) {
                long now = System.nanoTime();
                if (now >= nextSend) { // one packet every 40 ms: the writer writes every flush interval (0.2 s)
                    int length = PcapFiles.RECORD_HEADER_LENGTH + records.getInt(at + 8);
                    stdin.write(capture, at, length);
                    stdin.flush();
                    at += length;
                    sent++;
                    nextSend += 40_000_000L;
                }
                try {
                    Object inode = Files.getAttribute(indexSoFar, "unix:ino");
                    if (trickleStart == 0) {
                        trickleStart = now; // the first publication (a loaded machine starts a JVM slowly)
                    }
                    if (now - trickleStart < 3_000_000_000L) {
                        versions.add(inode);
                    }
                } catch (java.nio.file.NoSuchFileException e) {
                    // not published yet
                }
                if (trickleStart != 0 && now - trickleStart >= 3_000_000_000L && sent >= 100) {
                    break;
                }
                Thread.sleep(2);
            }
            // 3 s of trickle: at most one publication a second (the first, then up to three more).
            assertTrue(versions.size() <= 5, versions.size() + " publications in 3 s");
            assertTrue(versions.size() >= 2, versions.size() + " publications in 3 s");
            // The trickle's last packets are published soon after it stops.
            long deadline = System.nanoTime() + 5_000_000_000L;
            long indexed = 0;
            while (indexed < sent && System.nanoTime() < deadline) {
                Thread.sleep(100);
                FileIndex soFar = FileIndex.load(indexSoFar); // null: being renamed into place
                indexed = soFar == null ? indexed : soFar.packets;
            }
            assertEquals(sent, indexed);
        } finally {
            gulp.getOutputStream().close();
            gulp.waitFor();
        }
    }

    @Test
    void aFileDeletedDuringTheExtractionIsSkippedWithOneLine(@TempDir Path dir) throws Exception {
        ExtractCommandTest.write(dir.resolve("a.pcap"), BASE + 1, BASE + 2);
        ExtractCommandTest.write(dir.resolve("b.pcap"), BASE + 3, BASE + 4);
        ExtractCommandTest.write(dir.resolve("c.pcap"), BASE + 5, BASE + 6);
        List<String> lines = new ArrayList<>();
        Extraction extraction = Extraction.prepare(List.of(dir), Long.MIN_VALUE, Long.MAX_VALUE, null, false, lines::add);
        Files.delete(dir.resolve("b.pcap")); // as retention would
        List<Long> seen = new ArrayList<>();
        extraction.source().run(new PacketHandler() {
            @Override
            public void onPacket(MemorySegment data, long offset, int caplen, int wirelen, long ts, int vlanTag) {
                seen.add(ts);
            }

            @Override
            public void onBatchEnd() {
            }

            @Override
            public boolean stopRequested() {
                return false;
            }
        });
        assertEquals(List.of(BASE + 1, BASE + 2, BASE + 5, BASE + 6), seen);
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains("b.pcap") && lines.get(0).contains("deleted"), lines.toString());
    }
}
