package gulp.pipeline;

import gulp.cli.Main;
import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How a real gulp run ends when no signal ends it: {@code --count}, {@code --duration}, a reader
 * that dies of an Error. Each prints the counters once and exits with the documented status; the
 * {@code -V} status line keeps its pace to the end.
 */
class RunEndingTest {
    @TempDir
    Path dir;

    private static int occurrences(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    void aReaderThatDiesOfAnErrorStillWritesWhatTheRingHoldsPrintsTheCountersAndExitsOne() throws Exception {
        Path input = PcapFiles.writeSynthetic(dir.resolve("in.pcap"), 20_000, 1000, 1_700_000_000);
        Process gulp = new ProcessBuilder(GulpProcess.commandWithJvmOptions(List.of("-Dgulp.test.crash=reader"),
                "--read", input.toString(), "-q", "-r", "64"))
                .redirectError(dir.resolve("err").toFile()).start();
        // A slow consumer: the reader has read everything (and died) while most of it is still in the ring.
        Path output = dir.resolve("out.pcap");
        try (InputStream stdout = gulp.getInputStream(); OutputStream file = Files.newOutputStream(output)) {
            Thread.sleep(1500);
            stdout.transferTo(file);
        }
        assertTrue(gulp.waitFor(20, TimeUnit.SECONDS));
        String err = Files.readString(dir.resolve("err"));
        assertEquals(Main.EXIT_FAILURE, gulp.exitValue(), err);
        assertTrue(err.contains("gulp: internal error in the reader: java.lang.AssertionError: gulp.test.crash=reader"), err);
        assertEquals(1, occurrences(err, "records written"), err);
        assertEquals(20_000, GulpProcess.counters(err).get("records written"), err);
        assertFalse(err.contains("\tat "), "one line, no stack trace: " + err);
        assertArrayEquals(PcapFiles.body(input), PcapFiles.body(output));
        PcapFiles.assertTcpdumpReads(output, 20_000);
    }

    @Test
    void aWriterThatDiesOfAnErrorStopsTheReaderPrintsTheCountersOnceAndExitsOne() throws Exception {
        Path input = PcapFiles.writeSynthetic(dir.resolve("in.pcap"), 5_000, 1000, 1_700_000_000);
        Process gulp = new ProcessBuilder(GulpProcess.commandWithJvmOptions(List.of("-Dgulp.test.crash=writer"),
                "--read", input.toString(), "-q", "-r", "1"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("err").toFile()).start();
        assertTrue(gulp.waitFor(20, TimeUnit.SECONDS), "a reader waiting for room must not wait for ever");
        String err = Files.readString(dir.resolve("err"));
        assertEquals(Main.EXIT_FAILURE, gulp.exitValue(), err);
        assertTrue(err.contains("gulp: internal error in the writer: java.lang.AssertionError: gulp.test.crash=writer"), err);
        assertEquals(1, occurrences(err, "records written"), err);
        assertEquals(0, GulpProcess.counters(err).get("records written"), err);
        assertFalse(err.contains("\tat "), "one line, no stack trace: " + err);
    }

    @Test
    void statusLinesKeepTheirPaceWhileTheRingDrainsAfterADurationEndsTheRun() throws Exception {
        byte[] input = Files.readAllBytes(PcapFiles.writeSynthetic(dir.resolve("in.pcap"), 20_000, 1000, 1_700_000_000));
        long start = System.nanoTime();
        Process gulp = GulpProcess.builder("-i", "-", "--duration", "2", "-V", "x", "-r", "64")
                .redirectError(dir.resolve("err").toFile()).start();
        Thread feeder = Thread.ofPlatform().start(() -> {
            try (OutputStream in = gulp.getOutputStream()) {
                in.write(input); // into the ring; the pipe then stays open and idle
                in.flush();
                Thread.sleep(5000);
            } catch (IOException | InterruptedException e) {
                // gulp stopped reading at its deadline: the rest of the input is not wanted
            }
        });
        try (InputStream out = gulp.getInputStream()) {
            Thread.sleep(3500); // the duration ends while nearly everything waits in the ring
            byte[] chunk = new byte[64 * 1024];
            while (out.read(chunk) > 0) {
                Thread.sleep(2); // a slow consumer: the drain takes about a second
            }
        }
        assertTrue(gulp.waitFor(10, TimeUnit.SECONDS));
        double seconds = (System.nanoTime() - start) / 1e9;
        feeder.interrupt();
        feeder.join();
        String err = Files.readString(dir.resolve("err"));
        assertEquals(0, gulp.exitValue(), err);
        long statusLines = err.lines().filter(line -> line.startsWith("ring ")).count();
        // Two a second, and perhaps one as each thread ends; it was one a millisecond while draining.
        long expected = 2 * (long) Math.ceil(seconds) + 2;
        assertTrue(statusLines >= 2 && statusLines <= expected, statusLines + " status lines, at most " + expected + ": " + err);
        assertEquals(1, occurrences(err, "records written"), err);
        assertTrue(GulpProcess.counters(err).get("records written") > 1000, err);
    }

    @Test
    void countAndDurationEndTheRunWithTheCountersOnceAndStatusZero() throws Exception {
        Path input = PcapFiles.writeSynthetic(dir.resolve("in.pcap"), 500, 1000, 1_700_000_000);
        GulpProcess.Result counted = GulpProcess.run(input, dir.resolve("count.pcap"), "-i", "-", "--count", "123", "-q");
        assertEquals(0, counted.status(), counted.stderr());
        assertEquals(1, occurrences(counted.stderr(), "records written"), counted.stderr());
        assertEquals(123, counted.counter("records written"));
        PcapFiles.assertTcpdumpReads(dir.resolve("count.pcap"), 123);

        Process gulp = GulpProcess.builder("-i", "-", "--duration", "1", "-q").redirectOutput(dir.resolve("timed.pcap").toFile())
                .redirectError(dir.resolve("err").toFile()).start();
        try (OutputStream in = gulp.getOutputStream()) {
            in.write(Files.readAllBytes(input)); // then the pipe stays open and idle
            in.flush();
            assertTrue(gulp.waitFor(10, TimeUnit.SECONDS));
        }
        String err = Files.readString(dir.resolve("err"));
        assertEquals(0, gulp.exitValue(), err);
        assertEquals(1, occurrences(err, "records written"), err);
        assertEquals(500, GulpProcess.counters(err).get("records written"), err);
        PcapFiles.assertTcpdumpReads(dir.resolve("timed.pcap"), 500);
    }
}
