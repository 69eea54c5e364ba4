package gulp.cli;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
 * Every signal against a real gulp reading a pipe and writing its capture to stdout: nothing but
 * capture data reaches stdout, no signal costs a record, and each does what the README's table says.
 */
class SignalsTest {
    @TempDir
    Path dir;

    /** A gulp fed synthetic records through a pipe, its stdout in a file. */
    final class FedRun implements AutoCloseable {
        final Process process;
        final Path output = dir.resolve("out.pcap");
        final Path stderr = dir.resolve("err");
        private final OutputStream in;
        private final ByteArrayOutputStream fed = new ByteArrayOutputStream();
        private int records;

        FedRun(String... args) throws IOException {
            process = GulpProcess.builder(args).redirectOutput(output.toFile()).redirectError(stderr.toFile()).start();
            in = process.getOutputStream();
            in.write(PcapFiles.syntheticHeader());
            in.flush();
        }

        /** Feeds {@code count} more records and waits until all of them are in the output. */
        void feedAndAwait(int count) throws Exception {
            for (int i = 0; i < count; i++, records++) {
                byte[] record = PcapFiles.syntheticRecord(records, PcapFiles.syntheticSize(records), 1_700_000_000_000_000L + records);
                in.write(record);
                fed.write(record);
            }
            in.flush();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (Files.size(output) != PcapFiles.HEADER_LENGTH + fed.size()) {
                assertTrue(System.nanoTime() < deadline, "records never reached the output: " + stderrText());
                assertTrue(process.isAlive(), "gulp died: status " + (process.isAlive() ? "" : process.exitValue()) + ", " + stderrText());
                Thread.sleep(20);
            }
        }

        void signal(String name) throws InterruptedException {
            Tools.signal(process, name);
            Thread.sleep(300); // delivered asynchronously (the JVM's signal thread)
        }

        /** Waits for gulp to end by itself (after a signal that stops it); returns the status. */
        int awaitExit() throws Exception {
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "gulp did not stop: " + stderrText());
            return process.exitValue();
        }

        /** Ends the input and waits for gulp; returns the status. */
        int endInput() throws Exception {
            in.close();
            return awaitExit();
        }

        String stderrText() throws IOException {
            return Files.readString(stderr);
        }

        /** The output is a valid pcap holding exactly the records fed, in order, and nothing else. */
        void assertOutputIsExactlyWhatWasFed() throws IOException {
            assertArrayEquals(fed.toByteArray(), PcapFiles.body(output), "stdout holds exactly the records: " + stderrText());
            PcapFiles.assertTcpdumpReads(output, records);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    private static int occurrences(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    @Test
    void sigquitPrintsAThreadDumpOnStderrAndTheCaptureOnStdoutStaysIntact() throws Exception {
        try (FedRun run = new FedRun("-i", "-", "-q")) {
            run.feedAndAwait(50);
            run.signal("QUIT");
            run.feedAndAwait(50);
            assertEquals(0, run.endInput(), run.stderrText());
            run.assertOutputIsExactlyWhatWasFed();
            assertTrue(run.stderrText().contains("Full thread dump"), "the dump goes to stderr: " + run.stderrText());
        }
    }

    @Test
    void sigusr1PrintsTheCountersOnStderrAndTheRunGoesOn() throws Exception {
        try (FedRun run = new FedRun("-i", "-", "-q")) {
            run.feedAndAwait(30);
            run.signal("USR1");
            String soFar = run.stderrText();
            assertTrue(soFar.contains("30 packets read\n30 records written\n"), soFar);
            assertTrue(soFar.contains("ring buffer peak use:"), soFar);
            run.feedAndAwait(20);
            assertEquals(0, run.endInput(), run.stderrText());
            run.assertOutputIsExactlyWhatWasFed();
            String err = run.stderrText();
            assertEquals(2, occurrences(err, "records written"), "once on SIGUSR1, once at the end: " + err);
            assertEquals(50, GulpProcess.counters(err).get("records written"), err);
        }
    }

    /** Signals whose default would kill gulp or make the JVM write to stdout, and that must do neither. */
    @Test
    void signalsThatMustNotEndTheRunLeaveEveryRecordAndNothingElseOnStdout() throws Exception {
        try (FedRun run = new FedRun("-i", "-", "-q")) {
            run.feedAndAwait(10);
            // USR2: the JVM's suspend/resume signal; PIPE, XFSZ: ignored by the JVM; the real-time
            // signals (by number: glibc keeps 32 and 33, SIGRTMIN is 34, SIGRTMAX 64) have no Java name;
            // 62 is SIGRTMAX-2, the JDK's own for interrupting blocking reads, which must keep working.
            for (String name : List.of("USR2", "PIPE", "XFSZ", "34", "39", "62", "64", "URG", "WINCH", "CHLD")) {
                run.signal(name);
                run.feedAndAwait(10);
            }
            assertEquals(0, run.endInput(), run.stderrText());
            run.assertOutputIsExactlyWhatWasFed();
            assertEquals(1, occurrences(run.stderrText(), "records written"), run.stderrText());
        }
    }

    /** Signals whose default would kill gulp and lose the ring: they end the run cleanly instead. */
    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM", "HUP", "ALRM", "VTALRM", "PROF", "IO", "PWR", "STKFLT", "XCPU"})
    void stoppingSignalsEndTheRunCleanlyWithTheCountersOnce(String name) throws Exception {
        try (FedRun run = new FedRun("-i", "-", "-q")) {
            run.feedAndAwait(40);
            Tools.signal(run.process, name);
            assertEquals(0, run.awaitExit(), name + ": " + run.stderrText());
            run.assertOutputIsExactlyWhatWasFed();
            String err = run.stderrText();
            assertEquals(1, occurrences(err, "records written"), err);
            assertEquals(40, GulpProcess.counters(err).get("records written"), err);
        }
    }

    @Test
    void aSignalInheritedAsIgnoredStaysIgnored() throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("sh", "-c", "trap '' ALRM USR1; exec \"$0\" \"$@\""));
        command.addAll(GulpProcess.command("-i", "-", "-q"));
        Process gulp = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("err").toFile()).start();
        try (OutputStream in = gulp.getOutputStream()) {
            in.write(PcapFiles.syntheticHeader());
            in.flush();
            Thread.sleep(1500);
            Tools.signal(gulp, "ALRM");
            Tools.signal(gulp, "USR1");
            Thread.sleep(500);
            assertTrue(gulp.isAlive(), "an ignored SIGALRM must not stop gulp");
            assertFalse(Files.readString(dir.resolve("err")).contains("records written"), "nor SIGUSR1 print");
            Tools.signal(gulp, "INT");
            assertTrue(gulp.waitFor(10, TimeUnit.SECONDS));
        } finally {
            gulp.destroyForcibly();
        }
        assertEquals(0, gulp.exitValue());
    }

    /**
     * The tests start gulp with the flags of bin/lib/jvm-flags.sh; those flags must keep the JVM's
     * own output off stdout, and the launchers must run with that file's flags.
     */
    @Test
    void theLaunchersKeepTheJvmsOwnOutputOffStdout() throws IOException {
        for (String flag : GulpProcess.STDOUT_CLEAN_FLAGS) {
            assertTrue(GulpProcess.JVM_FLAGS.contains(flag), GulpProcess.JVM_FLAGS_FILE + " lacks " + flag);
        }
        for (Path launcher : List.of(Path.of("bin", "gulp"), Path.of("bin", "package"))) {
            String text = Files.readString(launcher);
            assertTrue(text.contains("source \"$here/bin/lib/jvm-flags.sh\"") && text.contains("\"${GULP_JVM_FLAGS[@]}\""),
                    launcher + " does not run with the flags of " + GulpProcess.JVM_FLAGS_FILE);
        }
    }
}
