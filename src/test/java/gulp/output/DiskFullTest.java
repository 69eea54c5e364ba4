package gulp.output;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static gulp.testing.PcapFiles.body;
import static gulp.testing.PcapFiles.concatenatedBodies;
import static gulp.testing.PcapFiles.outputFiles;
import static gulp.testing.PcapFiles.timestampsMicros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A small tmpfs, mounted by the test, is a disk that fills up. Needs root (skipped otherwise). */
class DiskFullTest {
    @TempDir
    Path temp;
    Path disk;
    Path input;
    byte[] inputBody;

    @BeforeEach
    void mountSmallDisk() throws Exception {
        disk = Files.createDirectory(temp.resolve("disk"));
        Tools.Output mount = Tools.run("mount", "-t", "tmpfs", "-o", "size=6m", "gulp-test-disk", disk.toString());
        Assumptions.assumeTrue(mount.status() == 0, "cannot mount a tmpfs: " + mount.stdout() + mount.stderr());
        input = PcapFiles.writeSynthetic(temp.resolve("in.pcap"), 20_000, 1000, 1_700_000_000L); // about 15 MB
        inputBody = body(input);
    }

    @AfterEach
    void unmount() throws Exception {
        if (disk != null) {
            Tools.run("umount", "-l", disk.toString());
        }
    }

    /**
     * Waits (at most 30 s) until the writer has filled the disk to within one write, then a little
     * longer so it meets ENOSPC and reports it: a fixed sleep was too short under load.
     */
    private static void awaitFull(Path disk) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline && Files.getFileStore(disk).getUnallocatedSpace() > (1 << 20) + (64 << 10)) {
            Thread.sleep(100);
        }
        Thread.sleep(1500);
    }

    private static long recordsWritten(String stderr) {
        long written = GulpProcess.counters(stderr).getOrDefault("records written", -1L);
        assertTrue(written >= 0, stderr);
        return written;
    }

    @Test
    void withoutRetentionTheFullDiskIsReportedTheFilesStayValidAndTheExitStatusSaysSo() throws Exception {
        Process p = GulpProcess.builder(List.of("--read", input.toString(), "-o", disk.toString(), "--rotate-size", "1M", "-r", "4"))
                .redirectErrorStream(true).start();
        // The writer now waits for space, and the file reader for room in the ring: stop it as a user would.
        awaitFull(disk);
        assertTrue(p.isAlive(), "waits for space instead of ending");
        Tools.signal(p, "INT");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String stderr = new String(p.getInputStream().readAllBytes());
        assertEquals(4, p.exitValue(), stderr);
        assertEquals(1, stderr.lines().filter(l -> l.contains("No space left on device") && l.contains("retrying every second")).count(), stderr);
        List<Path> files = outputFiles(disk);
        byte[] written = concatenatedBodies(files);
        assertTrue(written.length > 4 << 20, "the disk was filled: " + written.length);
        assertArrayEquals(java.util.Arrays.copyOf(inputBody, written.length), written, "a prefix of the input, in whole records");
        assertEquals(recordsWritten(stderr), timestampsMicros(written).size(), "the counters match the files");
        for (Path f : files) {
            PcapFiles.assertTcpdumpReads(f, timestampsMicros(body(f)).size());
        }
        try (var s = Files.list(disk)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().endsWith(".part")));
        }
    }

    @Test
    void withRetentionTheOldestFilesMakeRoomAndCaptureContinues() throws Exception {
        var r = GulpProcess.run(null, null, "--read", input.toString(), "-o", disk.toString(), "--rotate-size", "1M", "-W", "1000");
        assertEquals(0, r.status(), r.stderr());
        assertTrue(r.stderr().contains("No space left on device") && r.stderr().contains("deleting this run's oldest"), r.stderr());
        List<Path> files = outputFiles(disk);
        byte[] tail = concatenatedBodies(files);
        assertTrue(tail.length > 3 << 20, "the disk stays in use: " + tail.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(inputBody, inputBody.length - tail.length, inputBody.length), tail,
                "the newest records are all there, in whole records");
    }

    @Test
    void minFreeKeepsSpaceFreeByDeletingTheOldestFiles() throws Exception {
        var r = GulpProcess.run(null, null, "--read", input.toString(), "-o", disk.toString(), "--rotate-size", "1M", "--min-free", "2M");
        assertEquals(0, r.status(), r.stderr());
        assertTrue(!r.stderr().contains("No space"), r.stderr());
        long free = Files.getFileStore(disk).getUsableSpace();
        assertTrue(free >= (2 << 20) - (1 << 20) - 100_000, "at most one file below the limit: free " + free);
        byte[] tail = concatenatedBodies(outputFiles(disk));
        assertArrayEquals(java.util.Arrays.copyOfRange(inputBody, inputBody.length - tail.length, inputBody.length), tail);
    }

    @Test
    void directIoCutsBackToWholeRecordsOnAFullDiskToo() throws Exception {
        Process p = GulpProcess.builder(List.of("--read", input.toString(), "-o", disk.toString(), "--rotate-size", "2M",
                "-r", "4", "--direct-io")).redirectErrorStream(true).start();
        awaitFull(disk);
        Tools.signal(p, "INT");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String stderr = new String(p.getInputStream().readAllBytes());
        assertEquals(4, p.exitValue(), stderr);
        byte[] written = concatenatedBodies(outputFiles(disk));
        assertTrue(written.length > 4 << 20, "the disk was filled: " + written.length);
        assertArrayEquals(java.util.Arrays.copyOf(inputBody, written.length), written);
        assertEquals(recordsWritten(stderr), timestampsMicros(written).size(), "the counters match the files");
    }

    /** Less than one record (at most 1475 bytes here) and the page it starts in, plus a page of slack. */
    private static final long LESS_THAN_A_RECORD_MORE = 1475 + 2 * 4096;

    @ParameterizedTest
    @ValueSource(strings = {"--direct-io", "--buffered-io"})
    void aFullDiskKeepsEveryCompleteRecordThatFitted(String io) throws Exception {
        // One file: the write that meets the full disk is a whole 1 MiB of the ring.
        Process p = GulpProcess.builder(List.of("--read", input.toString(), "-o", disk.toString(), "-r", "4", io))
                .redirectErrorStream(true).start();
        awaitFull(disk);
        Tools.signal(p, "INT");
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String stderr = new String(p.getInputStream().readAllBytes());
        assertEquals(4, p.exitValue(), stderr);
        List<Path> files = outputFiles(disk);
        assertEquals(1, files.size(), stderr);
        byte[] written = concatenatedBodies(files);
        assertArrayEquals(java.util.Arrays.copyOf(inputBody, written.length), written, "a prefix of the input, in whole records");
        assertEquals(recordsWritten(stderr), timestampsMicros(written).size(), "the counters match the file");
        assertEquals(written.length, GulpProcess.counters(stderr).get("bytes written"), stderr);
        long free = Files.getFileStore(disk).getUnallocatedSpace();
        assertTrue(free < LESS_THAN_A_RECORD_MORE, "only the record that did not fit is missing: " + free + " bytes free");
        PcapFiles.assertTcpdumpReads(files.get(0), timestampsMicros(written).size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--direct-io", "--buffered-io"})
    void stdoutOnAFullDiskFailsInOneLineAndEndsOnTheLastCompleteRecordThatFitted(String io) throws Exception {
        Path out = disk.resolve("out.pcap");
        var r = GulpProcess.run(null, out, "--read", input.toString(), io);
        assertEquals(4, r.status(), r.stderr());
        assertEquals("gulp: writing the output failed: No space left on device", r.errorLine(), r.stderr());
        assertEquals(1, r.stderr().lines().filter(l -> l.contains("No space left")).count(), r.stderr());
        byte[] written = body(out);
        assertArrayEquals(java.util.Arrays.copyOf(inputBody, written.length), written, "a prefix of the input, in whole records");
        assertEquals(recordsWritten(r.stderr()), timestampsMicros(written).size(), "the counters match the file");
        assertEquals(written.length, r.counter("bytes written"), r.stderr());
        long free = Files.getFileStore(disk).getUnallocatedSpace();
        assertTrue(free < LESS_THAN_A_RECORD_MORE, "only the record that did not fit is missing: " + free + " bytes free");
    }
}
