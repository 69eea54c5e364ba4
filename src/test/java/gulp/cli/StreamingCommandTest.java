package gulp.cli;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams through pipes: back-pressure without loss through a tiny ring and a slow consumer,
 * {@code -c} byte-exactness, clean stops on signals, prompt delivery at low rates, broken pipes.
 */
class StreamingCommandTest {
    @TempDir
    Path dir;

    /** Writes {@code total} bytes of pcap records (1500-byte packets) and returns their SHA-256. */
    private static byte[] writePcapStream(OutputStream out, long total) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        out.write(PcapFiles.syntheticHeader());
        Random random = new Random(5);
        byte[] record = new byte[16 + 1500];
        ByteBuffer r = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
        byte[] batch = new byte[record.length * 64];
        long written = 0;
        int seq = 0;
        while (written < total) {
            for (int i = 0; i < 64; i++) {
                random.nextBytes(record);
                r.putInt(0, 1_700_000_000 + seq / 1000).putInt(4, (seq % 1000) * 1000).putInt(8, 1500).putInt(12, 1500);
                r.putInt(16, seq++); // sequence number inside the packet
                System.arraycopy(record, 0, batch, i * record.length, record.length);
            }
            out.write(batch);
            sha.update(batch);
            written += batch.length;
        }
        out.close();
        return sha.digest();
    }

    @Test
    void twoGibibytesThroughAOneMebibyteRingWithASlowConsumerLoseNothing() throws Exception {
        Process gulp = GulpProcess.builder("-i", "-", "-r", "1", "-q").redirectError(dir.resolve("err").toFile()).start();
        AtomicReference<byte[]> sent = new AtomicReference<>();
        Thread producer = Thread.ofPlatform().start(() -> {
            try {
                sent.set(writePcapStream(gulp.getOutputStream(), 2L << 30));
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        InputStream in = gulp.getInputStream();
        byte[] fileHeader = in.readNBytes(24);
        assertEquals(24, fileHeader.length);
        byte[] chunk = new byte[1 << 16];
        long received = 0;
        int n;
        while ((n = in.read(chunk)) > 0) {
            sha.update(chunk, 0, n);
            received += n;
            // Deliberately slow for the first 64 MiB: the 1 MiB ring fills and the reader must wait.
            if (received < (64 << 20)) {
                Thread.sleep(0, 200_000);
            }
        }
        producer.join();
        assertEquals(0, gulp.waitFor(), Files.readString(dir.resolve("err")));
        assertArrayEquals(sent.get(), sha.digest(), "every record arrived, byte for byte, in order");
        String err = Files.readString(dir.resolve("err"));
        assertTrue(err.contains("0 records dropped (ring full)"), err);
        assertTrue(err.contains("ring buffer peak use: 100.0% of 1 MiB"), err);
    }

    @Test
    void opaqueCopyOfOddSizedRandomDataIsByteExactThroughASlowConsumer() throws Exception {
        byte[] data = new byte[5_000_017];
        new Random(9).nextBytes(data);
        Process gulp = GulpProcess.builder("-c", "-r", "1", "-q").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Thread producer = Thread.ofPlatform().start(() -> {
            try (OutputStream out = gulp.getOutputStream()) {
                Random random = new Random(1);
                int at = 0;
                while (at < data.length) {
                    int n = Math.min(data.length - at, 1 + random.nextInt(9000)); // odd write sizes
                    out.write(data, at, n);
                    at += n;
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        InputStream in = gulp.getInputStream();
        byte[] chunk = new byte[7777];
        int n;
        while ((n = in.read(chunk)) > 0) {
            sha.update(chunk, 0, n);
            Thread.sleep(0, 100_000);
        }
        producer.join();
        assertEquals(0, gulp.waitFor());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)),
                HexFormat.of().formatHex(sha.digest()));
    }

    @Test
    void sigtermInTheMiddleOfALongInputLeavesAValidPcap() throws Exception {
        Path output = dir.resolve("out.pcap");
        Process gulp = GulpProcess.builder("-i", "-", "-r", "4")
                .redirectOutput(output.toFile()).redirectError(dir.resolve("err").toFile()).start();
        Thread producer = Thread.ofPlatform().start(() -> {
            try {
                writePcapStream(gulp.getOutputStream(), 8L << 30);
            } catch (Exception expected) {
                // gulp stopped reading: the pipe broke
            }
        });
        awaitSize(output, 1 << 20); // the run is under way (a signal during start-up meets no run yet)
        gulp.toHandle().destroy(); // SIGTERM
        assertTrue(gulp.waitFor(20, TimeUnit.SECONDS));
        producer.join();
        String err = Files.readString(dir.resolve("err"));
        assertEquals(0, gulp.exitValue(), err);
        Tools.Output dump = Tools.run("tcpdump", "-r", output.toString(), "-c", "1000000000", "-q");
        assertEquals(0, dump.status(), dump.stderr());
        PcapFiles.Capture capture = PcapFiles.read(output); // throws on a cut record
        assertTrue(capture.records().size() > 1000, "captured " + capture.records().size());
        assertEquals(capture.records().size(), new GulpProcess.Result(0, err).counter("records written"));
        for (int i = 0; i < capture.records().size(); i++) {
            int seq = ByteBuffer.wrap(capture.records().get(i).data()).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
            assertEquals(i, seq, "records in order, none missing");
        }
    }

    @Test
    void fewPacketsAtALowRateReachTheOutputWithinHalfASecond() throws Exception {
        Path output = dir.resolve("out.pcap");
        Process gulp = GulpProcess.builder("-i", "-", "-q")
                .redirectOutput(output.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] zeek = Files.readAllBytes(PcapFiles.ZEEK.resolve("vxlan.pcap"));
        int firstRecordEnd = 24 + 16 + ByteBuffer.wrap(zeek).order(ByteOrder.LITTLE_ENDIAN).getInt(24 + 8);
        OutputStream in = gulp.getOutputStream();
        in.write(zeek, 0, firstRecordEnd); // the header and one record: gulp is running once it is out
        in.flush();
        assertNotEquals(-1, nanosUntilSize(output, firstRecordEnd, 20_000), "the first record never reached the output");
        in.write(zeek, firstRecordEnd, zeek.length - firstRecordEnd); // nine more, then the pipe stays open and idle
        in.flush();
        long reached = nanosUntilSize(output, zeek.length, 3000);
        in.close();
        assertEquals(0, gulp.waitFor());
        assertNotEquals(-1, reached, "data never reached the output");
        assertTrue(reached < TimeUnit.MILLISECONDS.toNanos(500), "took " + reached / 1_000_000 + " ms");
    }

    /** Nanoseconds until {@code file} has {@code size} bytes, or -1 after {@code timeoutMillis}. */
    private static long nanosUntilSize(Path file, long size, long timeoutMillis) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            if (Files.size(file) == size) {
                return System.nanoTime() - start;
            }
            Thread.sleep(5);
        }
        return -1;
    }

    @Test
    void sigintWhileWaitingForInputStopsPromptlyWithEverythingWritten() throws Exception {
        assertSigintStopsAnIdleRunWithEverythingWritten(GulpProcess.command("-i", "-", "-q"));
    }

    @Test
    void sigintStopsARunStartedWithSigintIgnoredAsScriptsDoForBackgroundJobs() throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("sh", "-c", "trap '' INT; exec \"$0\" \"$@\""));
        command.addAll(GulpProcess.command("-i", "-", "-q"));
        assertSigintStopsAnIdleRunWithEverythingWritten(command);
    }

    /** Feeds ten records, leaves the input open and idle, sends SIGINT: a prompt, complete, clean stop. */
    private void assertSigintStopsAnIdleRunWithEverythingWritten(List<String> command) throws Exception {
        Path output = dir.resolve("out.pcap");
        Process gulp = new ProcessBuilder(command).redirectOutput(output.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] zeek = Files.readAllBytes(PcapFiles.ZEEK.resolve("vxlan.pcap"));
        try (OutputStream in = gulp.getOutputStream()) {
            in.write(zeek);
            in.flush();
            awaitSize(output, zeek.length); // the run is under way, now idle
            Tools.signal(gulp, "INT");
            assertTrue(gulp.waitFor(5, TimeUnit.SECONDS), "gulp must not hang in read(2) after SIGINT");
        }
        assertEquals(0, gulp.exitValue());
        assertArrayEquals(zeek, Files.readAllBytes(output));
    }

    /** Waits (at most 30 s, for a loaded machine) until {@code file} has at least {@code size} bytes. */
    private static void awaitSize(Path file, long size) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Files.size(file) < size) {
            assertTrue(System.nanoTime() < deadline, "the output never reached " + size + " bytes");
            Thread.sleep(20);
        }
    }

    @Test
    void durationStopsAnIdleRun() throws Exception {
        Process gulp = GulpProcess.builder("-i", "-", "--duration", "1")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        OutputStream in = gulp.getOutputStream();
        in.write(Files.readAllBytes(PcapFiles.ZEEK.resolve("vxlan.pcap")));
        in.flush();
        assertTrue(gulp.waitFor(6, TimeUnit.SECONDS));
        assertEquals(0, gulp.exitValue());
        in.close();
    }

    @Test
    void brokenPipeStopsWithAClearMessageAndOutputStatus() throws Exception {
        Path big = dir.resolve("big.pcap");
        try (OutputStream out = Files.newOutputStream(big)) {
            writePcapStream(out, 64L << 20);
        }
        ProcessBuilder builder = GulpProcess.builder("-i", "-", "-q");
        builder.redirectInput(big.toFile());
        builder.redirectError(dir.resolve("err").toFile());
        Process gulp = builder.start();
        gulp.getInputStream().readNBytes(1000);
        gulp.getInputStream().close(); // the consumer goes away, like `| head -c 1000`
        assertTrue(gulp.waitFor(20, TimeUnit.SECONDS));
        String err = Files.readString(dir.resolve("err"));
        assertEquals(Main.EXIT_OUTPUT, gulp.exitValue(), err);
        assertTrue(err.contains("gulp: writing the output failed: Broken pipe"), err);
    }

    @Test
    void binaryOutputToATerminalIsRefused() throws Exception {
        // `script` gives the child a pseudo-terminal as stdout.
        String command = String.join(" ", GulpProcess.command("-i", "-")).replace("'", "") + " < /dev/null";
        Tools.Output out = Tools.run("script", "-qec", command, File.createTempFile("typescript", null, dir.toFile()).toString());
        assertTrue(out.stdout().contains("refusing to write binary pcap data to a terminal"), out.stdout());
    }
}
