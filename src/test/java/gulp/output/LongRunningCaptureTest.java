package gulp.output;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.Tools;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static gulp.testing.PcapFiles.assertTcpdumpReads;
import static gulp.testing.PcapFiles.body;
import static gulp.testing.PcapFiles.concatenatedBodies;
import static gulp.testing.PcapFiles.outputFiles;
import static gulp.testing.PcapFiles.timestampsMicros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A gulp fed through {@code -i -} by the test, so the test decides when packets arrive. */
class LongRunningCaptureTest {
    /** Removed by JUnit: the output directory and the test's other files (inputs, stderr, a second output). */
    @TempDir
    Path work;
    Path out;

    @BeforeEach
    void makeOutputDirectory() throws java.io.IOException {
        out = Files.createDirectory(work.resolve("out"));
    }

    /** A running {@code gulp -i - -o out ...}; the test writes records into its stdin. */
    private final class Feed implements AutoCloseable {
        final Process process;
        final OutputStream stdin;
        final Path stderr;
        long next;

        Feed(String... options) throws Exception {
            stderr = Files.createTempFile(work, "gulp-stderr", ".txt");
            List<String> args = new java.util.ArrayList<>(List.of("-i", "-", "-o", out.toString(), "-p", "1000"));
            args.addAll(List.of(options));
            process = GulpProcess.builder(args).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(stderr.toFile()).start();
            stdin = process.getOutputStream();
            stdin.write(PcapFiles.syntheticHeader());
        }

        void send(int records) throws Exception {
            for (int i = 0; i < records; i++, next++) {
                stdin.write(PcapFiles.syntheticRecord(next, PcapFiles.syntheticSize(next), 1_700_000_000_000_000L + next));
            }
            stdin.flush();
        }

        int finish() throws Exception {
            stdin.close();
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "gulp ends at the end of its input");
            return process.exitValue();
        }

        String errors() throws Exception {
            return Files.readString(stderr);
        }

        String errorsOrReason() {
            try {
                return "alive " + process.isAlive() + ", stderr: " + Files.readString(stderr);
            } catch (java.io.IOException e) {
                return e.toString();
            }
        }

        @Override
        public void close() throws Exception {
            process.destroyForcibly().waitFor();
            Files.deleteIfExists(stderr);
        }
    }

    private static boolean waitFor(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    private List<Path> parts() {
        try {
            return PcapFiles.captureParts(out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private int finishedFiles() {
        try {
            return outputFiles(out).size();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Size of the one file being written, or -1 (none, several, or it was just renamed). */
    private long partSize() {
        List<Path> parts = parts();
        return parts.size() == 1 ? size(parts.get(0)) : -1;
    }

    private long size(Path p) {
        try {
            return Files.size(p);
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void timeRotationFinishesAFileWithinASecondOfItsIntervalEvenWhenIdle() throws Exception {
        try (Feed feed = new Feed("-G", "1", "-Z", "true")) {
            feed.send(100);
            assertTrue(waitFor(() -> finishedFiles() == 1, 2200), "the file is finished after its 1 s interval although no packet came since");
            Thread.sleep(1500);
            assertEquals(1, outputFiles(out).size(), "idle intervals leave no empty files");
            feed.send(50);
            assertEquals(0, feed.finish(), feed.errors());
            List<Path> files = outputFiles(out);
            assertEquals(2, files.size());
            assertTcpdumpReads(files.get(0), 100);
            assertTcpdumpReads(files.get(1), 50);
        }
    }

    @Test
    void sighupStartsANewFileAndSigtermFinishesTheLastOneCleanly() throws Exception {
        try (Feed feed = new Feed()) {
            feed.send(300);
            assertTrue(waitFor(() -> partSize() > 1000, 3000));
            Tools.signal(feed.process, "HUP");
            assertTrue(waitFor(() -> finishedFiles() == 1, 3000), () -> "SIGHUP finished the first file: " + finishedFiles() + " finished, parts " + parts() + ", " + feed.errorsOrReason());
            feed.send(200);
            assertTrue(waitFor(() -> partSize() > 1000, 3000));
            Tools.signal(feed.process, "TERM");
            assertTrue(feed.process.waitFor(10, TimeUnit.SECONDS));
            List<Path> files = outputFiles(out);
            assertEquals(2, files.size(), feed.errors());
            assertTcpdumpReads(files.get(0), 300);
            assertTcpdumpReads(files.get(1), 200);
            assertTrue(parts().isEmpty());
        }
    }

    @Test
    void afterSigkillTheNextStartRecoversThePartFile() throws Exception {
        byte[] written;
        try (Feed feed = new Feed("--rotate-packets", "400")) {
            feed.send(1000);
            assertTrue(waitFor(() -> {
                List<Path> parts = parts();
                return parts.size() == 1 && timestampsOk(parts.get(0), 200);
            }, 5000));
            feed.process.destroyForcibly().waitFor();
            assertEquals(2, outputFiles(out).size(), "finished files are complete");
            Path part = parts().get(0);
            written = Files.readAllBytes(part);
            // What a torn write leaves: half a record after the last whole one.
            Files.write(part, java.util.Arrays.copyOf(PcapFiles.syntheticRecord(9999, 500, 1), 100),
                    java.nio.file.StandardOpenOption.APPEND);
        }
        Path input = PcapFiles.writeSynthetic(work.resolve("ten-" + System.nanoTime() + ".pcap"), 10, 10, 1_700_000_100L);
        var r = GulpProcess.run(null, null, "--read", input.toString(), "-o", out.toString());
        assertEquals(0, r.status(), r.stderr());
        assertTrue(r.stderr().contains("recovered") && r.stderr().contains("cut back"), r.stderr());
        List<Path> files = outputFiles(out);
        assertEquals(4, files.size(), files.toString());
        assertTrue(parts().isEmpty());
        assertArrayEquals(java.util.Arrays.copyOfRange(written, 24, written.length), body(files.get(2)));
        assertTcpdumpReads(files.get(2), 200);
        assertTcpdumpReads(files.get(3), 10);
        assertEquals(1000, timestampsMicros(concatenatedBodies(files.subList(0, 3))).size());
        Files.delete(input);
    }

    private static boolean timestampsOk(Path part, int records) {
        try {
            return timestampsMicros(body(part)).size() == records;
        } catch (Throwable e) {
            return false;
        }
    }

    @Test
    void exclusiveInstanceRefusesASecondOneOnTheSameSourceAndDirectoryUnlessOverridden() throws Exception {
        try (Feed first = new Feed("-x")) {
            first.send(10);
            assertTrue(waitFor(() -> Files.exists(out.resolve(".gulp-stdin.lock")) && !parts().isEmpty(), 5000));
            java.io.File small = PcapFiles.writeSynthetic(work.resolve("small-" + System.nanoTime() + ".pcap"),
                    5, 5, 1_700_000_000L).toFile();
            ProcessBuilder second = GulpProcess.builder(List.of("-i", "-", "-o", out.toString()));
            Process p = second.redirectInput(ProcessBuilder.Redirect.from(small)).start();
            String err = new String(p.getErrorStream().readAllBytes());
            assertEquals(4, p.waitFor(), err);
            assertTrue(err.contains("another gulp") && err.contains("-X"), err);
            // Another directory is another lock.
            Path elsewhere = Files.createDirectories(work.resolve("other-" + System.nanoTime()));
            Process third = GulpProcess.builder(List.of("-i", "-", "-o", elsewhere.toString(), "-x"))
                    .redirectInput(ProcessBuilder.Redirect.from(small)).start();
            String thirdErr = new String(third.getErrorStream().readAllBytes());
            assertEquals(0, third.waitFor(), thirdErr);
            assertEquals(1, outputFiles(elsewhere).size());
            // -X overrides.
            Process forced = GulpProcess.builder(List.of("-i", "-", "-o", out.toString(), "-X"))
                    .redirectInput(ProcessBuilder.Redirect.from(small)).start();
            String forcedErr = new String(forced.getErrorStream().readAllBytes());
            assertTrue(forced.waitFor(20, TimeUnit.SECONDS));
            assertEquals(0, forced.exitValue(), forcedErr);
            assertTrue(forcedErr.contains("-X"), forcedErr);
            assertFalse(forcedErr.contains("another gulp is writing"), forcedErr);
            assertEquals(0, first.finish(), first.errors());
            assertEquals(2, outputFiles(out).size(), "the -X run and the first one, in files of their own");
            Files.delete(small.toPath());
        }
    }

    @Test
    void anOutputDirectoryRemovedWhileRunningEndsTheRunWithAClearError() throws Exception {
        Path dir = Files.createDirectory(out.resolve("going"));
        List<String> args = List.of("-i", "-", "-o", dir.toString(), "--rotate-packets", "100", "-X");
        Path stderr = out.resolve("stderr.txt");
        Process p = GulpProcess.builder(args).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(stderr.toFile()).start();
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.write(PcapFiles.syntheticHeader());
            for (int i = 0; i < 150; i++) {
                stdin.write(PcapFiles.syntheticRecord(i, 100, 1_700_000_000_000_000L + i));
            }
            stdin.flush();
            assertTrue(waitFor(() -> {
                try {
                    return !PcapFiles.captureParts(dir).isEmpty();
                } catch (java.io.IOException e) {
                    return false;
                }
            }, 5000));
            // the index so far (.NAME.idx.part) may be published while rm runs: retry until it is gone
            for (int attempt = 0; attempt < 50 && Tools.run("rm", "-rf", dir.toString()).status() != 0; attempt++) {
                Thread.sleep(10);
            }
            assertTrue(!java.nio.file.Files.exists(dir), "the output directory is removed");
            for (int i = 150; i < 400; i++) {
                stdin.write(PcapFiles.syntheticRecord(i, 100, 1_700_000_000_000_000L + i));
            }
        } catch (java.io.IOException e) {
            // gulp may already have stopped reading.
        }
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        String err = Files.readString(stderr);
        assertEquals(4, p.exitValue(), err);
        assertTrue(err.contains(dir + " does not exist any more"), err);
        assertFalse(Files.exists(dir), "nothing was written anywhere else");
    }
}
