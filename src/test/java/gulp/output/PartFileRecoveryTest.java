package gulp.output;

import gulp.format.PcapRecordHeader;
import gulp.testing.PcapFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartFileRecoveryTest {
    @TempDir
    Path dir;

    private byte[] records(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            out.writeBytes(PcapFiles.syntheticRecord(i, PcapFiles.syntheticSize(i), 1_700_000_000_000_000L + i));
        }
        return out.toByteArray();
    }

    private Path part(String name, byte[]... pieces) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : pieces) {
            out.writeBytes(p);
        }
        return Files.write(dir.resolve(FileNamer.partName(name)), out.toByteArray());
    }

    private List<Path> recoverAll(java.util.function.Consumer<String> report) throws Exception {
        return PartFileRecovery.recoverAll(dir, FileNamer.of("pcap", false, null, 0), report);
    }

    @Test
    void aPartFileIsCutBackToItsLastCompleteRecordAndRenamed() throws Exception {
        byte[] whole = records(50);
        byte[] next = PcapFiles.syntheticRecord(50, 900, 1_700_000_001_000_000L);
        part("pcap000007.pcap", PcapFiles.syntheticHeader(), whole, java.util.Arrays.copyOf(next, 300));
        List<String> report = new ArrayList<>();
        List<Path> recovered = recoverAll(report::add);
        Path expected = dir.resolve("pcap000007.pcap");
        assertEquals(List.of(expected), recovered);
        assertArrayEquals(whole, PcapFiles.body(expected));
        assertEquals(1, report.size());
        assertTrue(report.get(0).contains("cut back"), report.get(0));
        PcapFiles.assertTcpdumpReads(expected, 50);
    }

    @Test
    void theIndexSoFarBesideARecoveredOrRemovedPartGoesWithIt() throws Exception {
        part("pcap000001.pcap", PcapFiles.syntheticHeader(), records(3));
        part("pcap000002.pcap", new byte[10]); // shorter than a header: removed
        Path index1 = Files.write(dir.resolve(FileNamer.partName(FileNamer.indexName("pcap000001.pcap"))), new byte[] {1});
        Path index2 = Files.write(dir.resolve(FileNamer.partName(FileNamer.indexName("pcap000002.pcap"))), new byte[] {1});
        recoverAll(line -> { });
        assertTrue(Files.exists(dir.resolve("pcap000001.pcap")));
        assertFalse(Files.exists(index1), "the index so far of a recovered file describes no file");
        assertFalse(Files.exists(index2), "the index so far of a removed file describes no file");
    }

    @Test
    void anIndexSoFarLeftWithoutItsPartByAKillAfterTheFilesRenameIsRemoved() throws Exception {
        Files.write(dir.resolve("pcap000002.pcap"), PcapFiles.syntheticHeader()); // renamed, then killed before its index was
        Path orphan = Files.write(dir.resolve(FileNamer.partName(FileNamer.indexName("pcap000002.pcap"))), new byte[] {1});
        part("pcap000003.pcap", PcapFiles.syntheticHeader(), records(3)); // this run's own, still written? locked ones stay
        Path other = Files.write(dir.resolve(FileNamer.partName(FileNamer.indexName("notours.txt"))), new byte[] {1});
        recoverAll(line -> { });
        assertFalse(Files.exists(orphan), "an index so far whose .part is gone describes no file being written");
        assertTrue(Files.exists(other), "only names this run's naming scheme makes are touched");
        assertTrue(Files.exists(dir.resolve("pcap000002.pcap")));
    }

    @Test
    void anIndexStoresTempLeftByAKillIsRemovedOnceStaleAndAFreshOneIsLeftToTheRunStoringIt() throws Exception {
        String partIndex = FileNamer.partName(FileNamer.indexName("pcap000004.pcap"));
        Path stalePart = Files.write(dir.resolve(partIndex + ".tmp"), new byte[] {1});
        Path staleFinal = Files.write(dir.resolve(FileNamer.indexName("pcap000001.pcap") + ".tmp"), new byte[] {1});
        Path fresh = Files.write(dir.resolve(FileNamer.indexName("pcap000005.pcap") + ".tmp"), new byte[] {1});
        Path other = Files.write(dir.resolve(FileNamer.indexName("notours.txt") + ".tmp"), new byte[] {1});
        java.nio.file.attribute.FileTime old = java.nio.file.attribute.FileTime.fromMillis(
                System.currentTimeMillis() - 2 * PartFileRecovery.STALE_TEMP_MILLIS);
        for (Path p : List.of(stalePart, staleFinal, other)) {
            Files.setLastModifiedTime(p, old);
        }
        recoverAll(line -> { });
        assertFalse(Files.exists(stalePart), "a kill in the middle of storing an index so far");
        assertFalse(Files.exists(staleFinal), "a kill in the middle of storing a finished file's index");
        assertTrue(Files.exists(fresh), "another run sharing the directory may be storing it now");
        assertTrue(Files.exists(other), "only names this run's naming scheme makes are touched");
    }

    @Test
    void zerosLeftByAPowerLossAreNotRecords() throws Exception {
        byte[] whole = records(10);
        part("pcap000000.pcap", PcapFiles.syntheticHeader(), whole, new byte[4096]);
        recoverAll(line -> { });
        assertArrayEquals(whole, PcapFiles.body(dir.resolve("pcap000000.pcap")));
    }

    /** O_DIRECT output keeps the file's size up to 32 MiB ahead of its data (fallocate): a killed run leaves that tail of zeros. */
    @Test
    void thePreallocatedTailAKilledRunLeavesIsCutOffWithTheRecordItCut() throws Exception {
        // The written bytes end on a block boundary (O_DIRECT writes whole blocks) inside a record
        // whose length fits in the file: its rest, and all after it, is preallocated zeros.
        int n = countEndingWhere(end -> cutLength(end) >= 16 && cutLength(end) < 900);
        byte[] whole = records(n);
        int end = PcapFiles.syntheticHeader().length + whole.length;
        byte[] cut = java.util.Arrays.copyOf(PcapFiles.syntheticRecord(n, 1400, 1_700_000_001_000_000L), cutLength(end));
        int written = end + cut.length;
        int step = (int) DirectWrites.PREALLOCATION_GRAIN; // fallocate extends the file to a multiple of it
        part("pcap000004.pcap", PcapFiles.syntheticHeader(), whole, cut, new byte[step - written % step]);
        recoverAll(line -> { });
        assertArrayEquals(whole, PcapFiles.body(dir.resolve("pcap000004.pcap")));
    }

    /** Only O_DIRECT output preallocates, to a multiple of its step: in a file of another size, zeros are data. */
    @Test
    void zerosThatEndTheLastRecordOfAFileNotPreallocatedAreKept() throws Exception {
        // The last record's data ends in 600 zero bytes across a 4096-byte boundary: what a killed
        // O_DIRECT run would leave if the file had been preallocated.
        int n = countEndingWhere(PartFileRecoveryTest::zerosCrossABlockBoundary);
        byte[] whole = records(n);
        byte[] last = PcapFiles.syntheticRecord(n, 1400, 1_700_000_001_000_000L);
        java.util.Arrays.fill(last, last.length - 600, last.length, (byte) 0);
        part("pcap000005.pcap", PcapFiles.syntheticHeader(), whole, last);
        recoverAll(line -> { });
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(whole);
        expected.writeBytes(last);
        assertArrayEquals(expected.toByteArray(), PcapFiles.body(dir.resolve("pcap000005.pcap")));
    }

    /** Whether the last 600 bytes of a 1400-byte record starting at {@code start} hold a 4096-byte boundary. */
    private static boolean zerosCrossABlockBoundary(int start) {
        int zerosFrom = start + 16 + 800;
        return (zerosFrom / 4096 + 1) * 4096 < start + 16 + 1400;
    }

    /** How many bytes of a record starting at file offset {@code start} fit before the next 4096-byte boundary. */
    private static int cutLength(int start) {
        return (4096 - start % 4096) % 4096;
    }

    /** The least count of at least 200 {@link #records} whose end (after the file header) {@code fits}. */
    private static int countEndingWhere(java.util.function.IntPredicate fits) {
        int end = PcapFiles.syntheticHeader().length;
        int n = 0;
        while (n < 200 || !fits.test(end)) {
            end += PcapRecordHeader.LENGTH + PcapFiles.syntheticSize(n);
            n++;
        }
        return n;
    }

    @Test
    void aPcapngPartFileIsCutBackToItsLastCompleteBlockAndReadByTcpdump() throws Exception {
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.writeBytes(gulp.testing.PcapngFiles.sectionHeader());
        whole.writeBytes(gulp.testing.PcapngFiles.interfaceDescription(1, 65535));
        for (int i = 0; i < 3000; i++) { // about 2 MB: blocks straddle the 1 MiB chunks recovery reads
            byte[] frame = new byte[PcapFiles.syntheticSize(i)];
            frame[12] = 0x08;
            whole.writeBytes(gulp.testing.PcapngFiles.enhancedPacket(0, 1_700_000_000_000_000L + i, frame));
        }
        byte[] cut = java.util.Arrays.copyOf(gulp.testing.PcapngFiles.enhancedPacket(0, 1, new byte[500]), 200);
        part("pcap000003.pcap", whole.toByteArray(), cut, new byte[4096]); // a cut block, then zeros
        List<String> report = new ArrayList<>();
        recoverAll(report::add);
        Path expected = dir.resolve("pcap000003.pcap");
        assertArrayEquals(whole.toByteArray(), Files.readAllBytes(expected));
        assertTrue(report.get(0).contains("cut back"), report.get(0));
        var dump = gulp.testing.Tools.run("tcpdump", "-nn", "-r", expected.toString());
        assertEquals(0, dump.status(), dump.stderr());
    }

    @Test
    void recoveryNeverReplacesAFinishedFile() throws Exception {
        Files.write(dir.resolve("pcap000001.pcap"), PcapFiles.syntheticHeader());
        part("pcap000001.pcap", PcapFiles.syntheticHeader(), records(3));
        recoverAll(line -> { });
        assertEquals(24, Files.size(dir.resolve("pcap000001.pcap")));
        assertArrayEquals(records(3), PcapFiles.body(dir.resolve("pcap000001.recovered-1.pcap")));
    }

    @Test
    void aPartFileThatIsNotPcapIsKeptUnchanged() throws Exception {
        byte[] opaque = "bytes of a -c copy, not pcap at all".getBytes();
        part("pcap000003.pcap", opaque);
        recoverAll(line -> { });
        assertArrayEquals(opaque, Files.readAllBytes(dir.resolve("pcap000003.pcap")));
    }

    @Test
    void aPartFileShorterThanAPcapHeaderIsRemoved() throws Exception {
        Path p = part("pcap000002.pcap", new byte[10]);
        List<String> report = new ArrayList<>();
        recoverAll(report::add);
        assertFalse(Files.exists(p));
        assertFalse(Files.exists(dir.resolve("pcap000002.pcap")));
        assertEquals(1, report.size());
    }

    @Test
    void onlyPartFilesNamedByThisRunsNamingSchemeAreTouched() throws Exception {
        Path download = part("video.mp4", new byte[100]);        // another tool's partial download
        Path otherPrefix = part("cap000001.pcap", PcapFiles.syntheticHeader(), records(2));
        Path planted = part("pcap9223372036854775806.pcap", PcapFiles.syntheticHeader(), records(2));
        List<String> report = new ArrayList<>();
        assertEquals(List.of(), recoverAll(report::add));
        assertTrue(Files.exists(download) && Files.exists(otherPrefix) && Files.exists(planted));
        assertEquals(List.of(), report);
    }

    @Test
    void recoveryIsBoundedInTimeAndLeavesWhatItCouldNotCheckAsItIs() throws Exception {
        byte[] content = Files.readAllBytes(part("pcap000004.pcap", PcapFiles.syntheticHeader(), records(20), new byte[7]));
        List<String> report = new ArrayList<>();
        List<Path> recovered = PartFileRecovery.recoverAll(dir, FileNamer.of("pcap", false, null, 0), report::add, 0);
        assertEquals(List.of(), recovered);
        assertArrayEquals(content, Files.readAllBytes(dir.resolve(FileNamer.partName("pcap000004.pcap"))));
        assertEquals(1, report.size(), report.toString());
        assertTrue(report.get(0).contains("at most 10 s"), report.get(0));
    }
}
