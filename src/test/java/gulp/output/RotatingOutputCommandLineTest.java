package gulp.output;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static gulp.testing.PcapFiles.assertTcpdumpReads;
import static gulp.testing.PcapFiles.body;
import static gulp.testing.PcapFiles.concatenatedBodies;
import static gulp.testing.PcapFiles.outputFiles;
import static gulp.testing.PcapFiles.timestampsMicros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code gulp --read FILE -o DIR ...} as a subprocess, on a long generated capture. */
class RotatingOutputCommandLineTest {
    /** gulp to the end, stdin and stdout unused. */
    private static GulpProcess.Result run(String... args) throws Exception {
        return GulpProcess.run(null, null, args);
    }

    private static final int RECORDS = 40_000; // about 30 MB, 1000 per second of packet time
    @TempDir
    static Path shared;
    static Path input;
    static byte[] inputBody;

    @TempDir
    Path out;

    @BeforeAll
    static void writeInput() throws Exception {
        input = PcapFiles.writeSynthetic(shared.resolve("long.pcap"), RECORDS, 1000, 1_700_000_000L);
        inputBody = body(input);
    }

    private static void assertFilesHoldExactlyTheInput(List<Path> files) throws Exception {
        assertArrayEquals(inputBody, concatenatedBodies(files), "the files concatenated (minus headers) are the input");
        for (Path f : files) {
            byte[] header = java.util.Arrays.copyOf(Files.readAllBytes(f), 24);
            // Magic, version, zone, sigfigs as in the input; snaplen is gulp's; link type as in the input.
            assertArrayEquals(java.util.Arrays.copyOf(PcapFiles.syntheticHeader(), 16), java.util.Arrays.copyOf(header, 16), f.toString());
            assertArrayEquals(java.util.Arrays.copyOfRange(PcapFiles.syntheticHeader(), 20, 24),
                    java.util.Arrays.copyOfRange(header, 20, 24), f.toString());
        }
    }

    @Test
    void sizeRotationMakesBoundedValidFilesThatConcatenateToTheInput() throws Exception {
        var r = run("--read", input.toString(), "-o", out.toString(), "--rotate-size", "1M", "-q");
        assertEquals(0, r.status(), r.stderr());
        List<Path> files = outputFiles(out);
        assertTrue(files.size() >= 25, files.toString());
        for (Path f : files) {
            assertTrue(Files.size(f) <= 1 << 20, f + " " + Files.size(f));
        }
        assertFilesHoldExactlyTheInput(files);
        assertTcpdumpReads(files.get(0), timestampsMicros(body(files.get(0))).size());
        assertTcpdumpReads(files.get(files.size() - 1), timestampsMicros(body(files.get(files.size() - 1))).size());
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0))));
        try (var s = Files.list(out)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".part")));
        }
    }

    @Test
    void packetCountRotationPutsExactlyNRecordsInEachFile() throws Exception {
        var r = run("--read", input.toString(), "-o", out.toString(), "--rotate-packets", "7000", "-n", "cnt",
                "--file-mode", "0600");
        assertEquals(0, r.status(), r.stderr());
        List<Path> files = outputFiles(out);
        assertEquals(6, files.size());
        for (int i = 0; i < files.size(); i++) {
            assertEquals(i < 5 ? 7000 : 5000, timestampsMicros(body(files.get(i))).size());
            assertTrue(files.get(i).getFileName().toString().startsWith("cnt"));
        }
        assertTcpdumpReads(files.get(2), 7000);
        assertFilesHoldExactlyTheInput(files);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0))));
    }

    @Test
    void ringMultipleRotationAsTheOriginalMinusCWithMinusR() throws Exception {
        var r = run("--read", input.toString(), "-o", out.toString(), "-r", "4", "-C", "2");
        assertEquals(0, r.status(), r.stderr());
        List<Path> files = outputFiles(out);
        assertEquals(4, files.size(), files.toString()); // about 30 MB in files of at most 8 MiB
        for (Path f : files.subList(0, files.size() - 1)) {
            assertTrue(Files.size(f) <= 8 << 20 && Files.size(f) > (8 << 20) - 1600, f + " " + Files.size(f));
        }
        assertFilesHoldExactlyTheInput(files);
    }

    @Test
    void packetTimeRotationSplitsAnOfflineCaptureOnIntervalBoundaries() throws Exception {
        // Packet time runs from 1700000000 (= 20 s past a full minute) for 40 s.
        var r = run("--read", input.toString(), "-o", out.toString(), "-G", "15", "--rotate-by-packet-time",
                "--name-template", "%Y%m%d-%H%M%S-%{seq}");
        assertEquals(0, r.status(), r.stderr());
        List<Path> files = outputFiles(out);
        assertEquals(List.of("20231114-221320-000000.pcap", "20231114-221330-000001.pcap",
                "20231114-221345-000002.pcap"), files.stream().map(p -> p.getFileName().toString()).toList());
        long[] intervalStarts = {1_699_999_995L, 1_700_000_010L, 1_700_000_025L};
        for (int i = 0; i < files.size(); i++) {
            for (long ts : timestampsMicros(body(files.get(i)))) {
                long second = ts / 1_000_000;
                assertTrue(second >= intervalStarts[i] && second < intervalStarts[i] + 15, files.get(i) + ": " + second);
            }
        }
        assertFilesHoldExactlyTheInput(files);
    }

    @Test
    void directIoWritesTheSameBytes() throws Exception {
        var r = run("--read", input.toString(), "-o", out.toString(), "--rotate-size", "3M", "--direct-io", "-t");
        assertEquals(0, r.status(), r.stderr());
        List<Path> files = outputFiles(out);
        assertEquals(10, files.size());
        assertFilesHoldExactlyTheInput(files);
        assertTcpdumpReads(files.get(9), timestampsMicros(body(files.get(9))).size());
    }

    @Test
    void maxFilesKeepsExactlyTheNewestFilesAndNamesStaySorted() throws Exception {
        var r = run("--read", input.toString(), "-o", out.toString(), "--rotate-packets", "1000", "-W", "5");
        assertEquals(0, r.status(), r.stderr());
        List<String> names = outputFiles(out).stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(List.of("pcap000035.pcap", "pcap000036.pcap", "pcap000037.pcap", "pcap000038.pcap",
                "pcap000039.pcap"), names);
        byte[] tail = concatenatedBodies(outputFiles(out));
        assertArrayEquals(java.util.Arrays.copyOfRange(inputBody, inputBody.length - tail.length, inputBody.length), tail);
        assertEquals(5000, timestampsMicros(tail).size());
        // A second run continues the numbering instead of replacing anything.
        var again = run("--read", input.toString(), "-o", out.toString(), "--rotate-packets", "20000");
        assertEquals(0, again.status(), again.stderr());
        assertEquals("pcap000040.pcap", outputFiles(out).get(5).getFileName().toString());
        assertEquals(7, outputFiles(out).size());
    }

    @Test
    void maxTotalDeletesOnlyTheOldestFilesOfThisRun() throws Exception {
        Path foreign = Files.write(out.resolve("pcap000000.pcap"), PcapFiles.syntheticHeader()); // from an earlier run
        var r = run("--read", input.toString(), "-o", out.toString(), "--rotate-size", "1M", "--max-total", "5M");
        assertEquals(0, r.status(), r.stderr());
        List<Path> files = outputFiles(out);
        assertEquals(foreign, files.get(0), "files of other runs are never deleted");
        List<Path> ours = files.subList(1, files.size());
        long total = 0;
        for (Path f : ours) {
            total += Files.size(f);
        }
        assertTrue(total <= 5 << 20, "total " + total);
        assertTrue(total > (5 << 20) - (1 << 20) - 2000, "only as many deleted as needed: " + total);
        byte[] tail = concatenatedBodies(ours);
        assertArrayEquals(java.util.Arrays.copyOfRange(inputBody, inputBody.length - tail.length, inputBody.length), tail);
        assertEquals("pcap000001.pcap".length(), ours.get(0).getFileName().toString().length());
    }

    @Test
    void maxTotalCountsTheIndexesBesideTheFiles() throws Exception {
        var r = run("--read", input.toString(), "-o", out.toString(), "--rotate-size", "1M", "--max-total", "5M");
        assertEquals(0, r.status(), r.stderr());
        long total = 0;
        int indexes = 0;
        try (var listing = Files.list(out)) {
            for (Path f : listing.toList()) {
                total += Files.size(f);
                indexes += f.getFileName().toString().endsWith(".idx") ? 1 : 0;
            }
        }
        assertTrue(indexes >= 4, "the files keep their indexes: " + indexes);
        assertTrue(total <= 5 << 20, "files and indexes within --max-total: " + total);
    }

    @Test
    void postRotateCommandGetsEveryFinishedFileExactlyOnceIncludingTheLast() throws Exception {
        Path log = shared.resolve("z-" + System.nanoTime() + ".log");
        Path script = Files.writeString(shared.resolve("z-" + System.nanoTime() + ".sh"),
                "#!/bin/sh\ntest -f \"$1\" && echo \"$1\" >> " + log + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        var r = run("--read", input.toString(), "-o", out.toString(), "--rotate-packets", "3000", "-Z", script.toString());
        assertEquals(0, r.status(), r.stderr());
        List<String> done = new ArrayList<>(Files.readAllLines(log));
        done.sort(null);
        assertEquals(outputFiles(out).stream().map(Path::toString).toList(), done);
        assertEquals(14, done.size());
    }

    @Test
    void retentionWithdrawsAQueuedPostRotateCommandInsteadOfRunningItOnADeletedFile() throws Exception {
        // The commands block until the gate opens (10 s at most), so later files wait in the queue
        // and -W 2 deletes some of them before their turn: no timing involved.
        Path log = shared.resolve("z-" + System.nanoTime() + ".log");
        Path gate = shared.resolve("gate-" + System.nanoTime());
        Path script = Files.writeString(shared.resolve("z-" + System.nanoTime() + ".sh"),
                "#!/bin/sh\necho \"$1\" >> " + log + "\ni=0\nwhile [ ! -e " + gate + " ] && [ $i -lt 200 ]; do"
                        + " sleep 0.05; i=$((i+1)); done\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Path stderr = shared.resolve("z-" + System.nanoTime() + ".err");
        Process gulp = GulpProcess.builder("--read", input.toString(), "-o", out.toString(), "--rotate-packets", "3000",
                        "-W", "2", "-Z", script.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr.toFile()).start();
        try {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!Files.readString(stderr).contains("before -Z ran on it") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Files.createFile(gate);
            assertTrue(gulp.waitFor(30, TimeUnit.SECONDS));
        } finally {
            gulp.destroyForcibly();
        }
        String errors = Files.readString(stderr);
        assertEquals(0, gulp.exitValue(), errors);
        assertEquals(2, outputFiles(out).size());
        long withdrawn = errors.lines().filter(l -> l.contains("before -Z ran on it")).count();
        List<String> ran = Files.readAllLines(log);
        assertTrue(withdrawn > 0, errors);
        assertEquals(14, ran.size() + withdrawn, "every file either ran -Z or was reported: " + errors);
        for (Path kept : outputFiles(out)) {
            assertTrue(ran.contains(kept.toString()), "the files kept had -Z run on them: " + ran);
        }
    }

    @Test
    void aFailingPostRotateCommandIsReportedAndCaptureGoesOn() throws Exception {
        var r = run("--read", input.toString(), "-o", out.toString(), "--rotate-packets", "10000", "-Z", "false");
        assertEquals(0, r.status(), r.stderr());
        assertEquals(4, outputFiles(out).size());
        assertFilesHoldExactlyTheInput(outputFiles(out));
        assertEquals(4, r.stderr().lines().filter(l -> l.contains("-Z") && l.contains("exited with status 1")).count(), r.stderr());
        var missing = run("--read", input.toString(), "-o", out.toString(), "-Z", "/nonexistent/gulp-z");
        assertEquals(0, missing.status(), missing.stderr());
        assertTrue(missing.stderr().contains("/nonexistent/gulp-z"), missing.stderr());
    }

    @Test
    void aMissingOutputDirectoryIsOneClearError() throws Exception {
        Path missing = out.resolve("nope");
        var r = run("--read", input.toString(), "-o", missing.toString());
        assertEquals(4, r.status(), r.stderr());
        assertTrue(r.stderr().contains(missing + " does not exist"), r.stderr());
        assertEquals(1, r.stderr().lines().filter(l -> l.startsWith("gulp:")).count(), r.stderr());
    }

    @Test
    void rotationOptionsAreRefusedForOpaqueCopies() throws Exception {
        var r = run("-c", "-o", out.toString(), "-G", "5");
        assertEquals(2, r.status(), r.stderr());
        assertTrue(r.stderr().contains("-c"), r.stderr());
    }

    @Test
    void timestampedNamesNeverCollideAtHundredsOfRotationsPerSecond() throws Exception {
        var r = run("--read", input.toString(), "-o", out.toString(), "--rotate-packets", "20", "-t");
        assertEquals(0, r.status(), r.stderr());
        List<Path> files = outputFiles(out);
        assertEquals(RECORDS / 20, files.size(), "no file replaced another");
        List<String> names = files.stream().map(p -> p.getFileName().toString()).toList();
        for (int i = 0; i < names.size(); i++) {
            assertTrue(names.get(i).matches("pcap_\\d{8}-\\d{6}\\.\\d{3}_" + String.format("%06d", i) + "\\.pcap"), names.get(i));
        }
        assertFilesHoldExactlyTheInput(files);
    }

    @Test
    void anOpaqueCopyGoesIntoOneFileUnchanged() throws Exception {
        Process p = GulpProcess.builder(List.of("-c", "-o", out.toString()))
                .redirectInput(input.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes());
        assertEquals(0, p.waitFor(), err);
        List<Path> files = outputFiles(out);
        assertEquals(1, files.size());
        assertEquals(-1, Files.mismatch(input, files.get(0)));
    }

    @Test
    void badOutputOptionValuesAreUsageErrors() throws Exception {
        for (String[] bad : new String[][] {{"--fsync", "sometimes"}, {"--min-free", "lots"}, {"--file-mode", "rw"},
                {"--min-free", "150%"}, {"-n", "a/b"}}) {
            var r = run("--read", input.toString(), "-o", out.toString(), bad[0], bad[1]);
            assertEquals(2, r.status(), r.stderr());
            assertTrue(r.stderr().contains(bad[0]), r.stderr());
        }
        var ok = run("--read", input.toString(), "-o", out.toString(), "--fsync", "always", "--min-free", "1%",
                "--rotate-size", "8M");
        assertEquals(0, ok.status(), ok.stderr());
        assertFilesHoldExactlyTheInput(outputFiles(out));
    }
}
