package gulp.output;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import gulp.testing.Tools;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

import static gulp.testing.PcapFiles.outputFiles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * O_DIRECT output (the default) against buffered output ({@code --buffered-io}): the same bytes,
 * for {@code -o} files at every kind of rotation and for stdout redirected to a file with
 * {@code >} and {@code >>}; and the fallback where the file system refuses O_DIRECT.
 *
 * <p>The files live under {@code target/} (a disk file system: {@code /tmp} may be a tmpfs,
 * which refuses O_DIRECT before Linux 6.6).
 */
class DirectIoTest {
    /** About 5.2 MB of records of 60 to 1459 bytes: the last O_DIRECT block is a partial one. */
    private static final int RECORDS = 7_001;

    Path temp;
    Path input;
    byte[] inputBody;
    /** What gulp writes for the input: its own file header (snaplen = -s), then the records. */
    byte[] outputBytes;

    @BeforeEach
    void makeInput() throws IOException {
        Path target = Files.createDirectories(Path.of("target", "test-direct-io").toAbsolutePath());
        temp = Files.createTempDirectory(target, "run");
        input = PcapFiles.writeSynthetic(temp.resolve("in.pcap"), RECORDS, 1000, 1_700_000_000L);
        inputBody = PcapFiles.body(input);
        outputBytes = new byte[PcapFiles.HEADER_LENGTH + inputBody.length];
        System.arraycopy(PcapFiles.header(false, java.nio.ByteOrder.LITTLE_ENDIAN, 262144, PcapFiles.LINKTYPE_ETHERNET),
                0, outputBytes, 0, PcapFiles.HEADER_LENGTH);
        System.arraycopy(inputBody, 0, outputBytes, PcapFiles.HEADER_LENGTH, inputBody.length);
        Assumptions.assumeTrue(directIoWorksIn(temp), "the file system under target/ refuses O_DIRECT");
    }

    @AfterEach
    void removeFiles() throws IOException {
        try (var walk = Files.walk(temp)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static boolean directIoWorksIn(Path dir) {
        Path probe = dir.resolve("probe");
        try (FileChannel ignored = FileChannel.open(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.DELETE_ON_CLOSE, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Path directory(String name) throws IOException {
        return Files.createDirectory(temp.resolve(name));
    }

    private static List<byte[]> contents(List<Path> files) throws IOException {
        List<byte[]> all = new ArrayList<>();
        for (Path f : files) {
            all.add(Files.readAllBytes(f));
        }
        return all;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "--rotate-size 1M", "--rotate-packets 1500", "-C 1 -r 1", "-z 4096 --rotate-size 100k",
        "-G 2 --rotate-by-packet-time"})
    void oDirectAndBufferedFilesAreByteIdenticalAtEveryKindOfRotation(String rotation) throws Exception {
        List<String> extra = rotation.isEmpty() ? List.of() : List.of(rotation.split(" "));
        Path direct = directory("direct");
        Path buffered = directory("buffered");
        List<String> a = new ArrayList<>(List.of("--read", input.toString(), "-o", direct.toString()));
        a.addAll(extra);
        List<String> b = new ArrayList<>(List.of("--read", input.toString(), "-o", buffered.toString(), "--buffered-io"));
        b.addAll(extra);
        var r1 = GulpProcess.run(null, null, a.toArray(String[]::new));
        var r2 = GulpProcess.run(null, null, b.toArray(String[]::new));
        assertEquals(0, r1.status(), r1.stderr());
        assertEquals(0, r2.status(), r2.stderr());
        assertTrue(r1.stderr().contains("(O_DIRECT)"), r1.stderr());
        assertTrue(r2.stderr().contains("(buffered)"), r2.stderr());
        List<Path> directFiles = outputFiles(direct);
        List<Path> bufferedFiles = outputFiles(buffered);
        assertEquals(bufferedFiles.stream().map(Path::getFileName).toList(), directFiles.stream().map(Path::getFileName).toList());
        if (!rotation.isEmpty()) {
            assertTrue(directFiles.size() > 2, "rotated: " + directFiles);
        }
        List<byte[]> x = contents(directFiles);
        List<byte[]> y = contents(bufferedFiles);
        for (int i = 0; i < x.size(); i++) {
            assertArrayEquals(y.get(i), x.get(i), directFiles.get(i).toString());
        }
        assertArrayEquals(inputBody, PcapFiles.concatenatedBodies(directFiles));
        assertEquals(RECORDS, r1.counter("records written"));
    }

    /** Runs gulp with stdout sent to {@code file}, appending when asked (the shell's {@code >>}). */
    private GulpProcess.Result runToStdout(Path file, boolean append, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("--read", input.toString()));
        args.addAll(List.of(options));
        ProcessBuilder builder = GulpProcess.builder(args);
        builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.redirectOutput(append ? ProcessBuilder.Redirect.appendTo(file.toFile()) : ProcessBuilder.Redirect.to(file.toFile()));
        Process p = builder.start();
        String stderr = new String(p.getErrorStream().readAllBytes());
        return new GulpProcess.Result(p.waitFor(), stderr);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 8192, 3, 5000})
    void stdoutToAFileIsTheSameWithODirectAndBufferedAlsoWhenAppended(int existingBytes) throws Exception {
        // -1: '>' over an existing file; otherwise '>>' after that many bytes already in the file.
        boolean append = existingBytes >= 0;
        byte[] before = new byte[Math.max(0, existingBytes)];
        Arrays.fill(before, (byte) 'x');
        Path direct = temp.resolve("direct.pcap");
        Path buffered = temp.resolve("buffered.pcap");
        Files.write(direct, append ? before : "old contents".getBytes());
        Files.write(buffered, append ? before : "old contents".getBytes());
        var r1 = runToStdout(direct, append);
        var r2 = runToStdout(buffered, append, "--buffered-io");
        assertEquals(0, r1.status(), r1.stderr());
        assertEquals(0, r2.status(), r2.stderr());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(before);
        expected.write(outputBytes);
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(direct));
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(buffered));
        assertTrue(r2.stderr().contains("writing stdout (a file, buffered)"), r2.stderr());
        if (before.length % 4096 == 0) {
            assertTrue(r1.stderr().contains("writing stdout (a file, O_DIRECT)"), r1.stderr());
        } else {
            // An unaligned '>>' is written buffered, and says so in one line.
            assertEquals(1, r1.stderr().lines().filter(l -> l.contains("not a multiple of 4096: writing it buffered")).count(),
                    r1.stderr());
            assertTrue(r1.stderr().contains("at offset " + before.length), r1.stderr());
        }
    }

    @Test
    void aCommandAfterGulpInTheSameRedirectionWritesAfterTheCapture() throws Exception {
        Path out = temp.resolve("group.pcap");
        var shell = new ProcessBuilder("sh", "-c", "{ " + String.join(" ", GulpProcess.command("-q", "--read", input.toString()))
                + "; printf END; } > " + out).redirectErrorStream(true).start();
        String text = new String(shell.getInputStream().readAllBytes());
        assertEquals(0, shell.waitFor(), text);
        byte[] all = Files.readAllBytes(out);
        assertArrayEquals(outputBytes, Arrays.copyOf(all, outputBytes.length));
        assertEquals("END", new String(Arrays.copyOfRange(all, outputBytes.length, all.length)));
    }

    @Test
    void aFileSystemWithoutODirectIsAnnouncedInOneLineAndWrittenBuffered() throws Exception {
        Path ram = directory("ramfs");
        Tools.Output mount = Tools.run("mount", "-t", "ramfs", "gulp-test-ramfs", ram.toString());
        Assumptions.assumeTrue(mount.status() == 0, "cannot mount a ramfs: " + mount.stderr());
        try {
            Assumptions.assumeFalse(directIoWorksIn(ram), "this kernel's ramfs accepts O_DIRECT");
            Path dir = Files.createDirectory(ram.resolve("out"));
            var files = GulpProcess.run(null, null, "--read", input.toString(), "-o", dir.toString(), "--rotate-size", "1M");
            assertEquals(0, files.status(), files.stderr());
            assertEquals(1, files.stderr().lines().filter(l -> l.contains("does not support O_DIRECT")).count(), files.stderr());
            assertTrue(files.stderr().contains("(ramfs)") && files.stderr().contains("(buffered)"), files.stderr());
            assertArrayEquals(inputBody, PcapFiles.concatenatedBodies(outputFiles(dir)));
            try (var s = Files.list(dir)) {
                assertTrue(s.noneMatch(p -> p.getFileName().toString().contains("probe")), "the probe file is gone");
            }

            Path stdout = ram.resolve("stdout.pcap");
            var single = runToStdout(stdout, false);
            assertEquals(0, single.status(), single.stderr());
            assertEquals(1, single.stderr().lines().filter(l -> l.contains("does not support O_DIRECT")).count(), single.stderr());
            assertTrue(single.stderr().contains("writing stdout (a file, buffered)"), single.stderr());
            assertArrayEquals(outputBytes, Files.readAllBytes(stdout));
        } finally {
            Tools.run("umount", "-l", ram.toString());
        }
    }

    @Test
    void aFileSizeLimitLeavesStdoutOnTheLastCompleteRecordAndTheCountersSayWhatIsInIt() throws Exception {
        for (String io : List.of("--direct-io", "--buffered-io")) {
            Path out = temp.resolve("limited" + io + ".pcap");
            // ulimit -f counts blocks of 512 (dash) or 1024 bytes (bash): the limit falls inside a record.
            var shell = new ProcessBuilder("sh", "-c", "ulimit -f 2000; exec " + String.join(" ",
                    GulpProcess.command("--read", input.toString(), io)) + " > " + out).start();
            String stderr = new String(shell.getErrorStream().readAllBytes());
            assertEquals(4, shell.waitFor(), stderr);
            assertTrue(stderr.contains("gulp: writing the output failed: File too large"), stderr);
            byte[] body = PcapFiles.body(out);
            assertTrue(body.length > 1_000_000 - 1500 && body.length <= 2000 * 1024, io + ": " + body.length);
            int records = PcapFiles.timestampsMicros(body).size(); // asserts whole records
            assertEquals(records, GulpProcess.counters(stderr).get("records written"), stderr);
            assertEquals(body.length, GulpProcess.counters(stderr).get("bytes written"), stderr);
            assertArrayEquals(Arrays.copyOf(inputBody, body.length), body, "a prefix of the input");
            PcapFiles.assertTcpdumpReads(out, records);
        }
    }
    /**
     * A run killed with SIGKILL while O_DIRECT writes with the file's size preallocated ahead:
     * its {@code .part} file ends in zeros; the next start cuts it back to its last complete
     * record (no zeros, no cut record) and renames it, a prefix of the input that tcpdump reads.
     */
    @Test
    void aKilledRunsPreallocatedTailIsCutOffByTheNextStart() throws Exception {
        Path out = Files.createDirectory(temp.resolve("killed"));
        Process p = GulpProcess.builder(List.of("-i", "-", "-o", out.toString(), "-C", "1000"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Path part = null;
        long deadline = System.nanoTime() + 30_000_000_000L;
        try (var stdin = p.getOutputStream()) {
            stdin.write(outputBytes, 0, PcapFiles.HEADER_LENGTH);
            int at = PcapFiles.HEADER_LENGTH;
            // The input again and again, as a live capture keeps coming: the writer never idles
            // (an idle flush would cut the file back), until the file runs ahead of its data.
            while (System.nanoTime() < deadline) {
                stdin.write(outputBytes, at, outputBytes.length - at);
                stdin.flush();
                at = PcapFiles.HEADER_LENGTH;
                try (var files = Files.list(out)) {
                    part = files.filter(f -> f.getFileName().toString().endsWith(".part")).findFirst().orElse(null);
                }
                if (part != null && Files.size(part) >= DirectWrites.MIN_AHEAD_BYTES) {
                    break;
                }
            }
        } catch (IOException e) {
            // the pipe broke: gulp is gone
        } finally {
            p.destroyForcibly(); // SIGKILL
            assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS));
        }
        Assumptions.assumeTrue(part != null && Files.exists(part), "the run ended before it could be killed");
        byte[] killed = Files.readAllBytes(part);
        var r = GulpProcess.run(input, null, "-i", "-", "-o", out.toString(), "-C", "1000");
        assertEquals(0, r.status(), r.stderr());
        Path recovered = out.resolve(FileNamer.finalNameOfPart(part.getFileName().toString()));
        byte[] body = PcapFiles.body(recovered);
        int records = PcapFiles.timestampsMicros(body).size(); // whole records only
        assertTrue(records > 0 && body.length + PcapFiles.HEADER_LENGTH < killed.length, records + " records, " + killed.length + " bytes killed");
        byte[] repeated = new byte[body.length];
        for (int i = 0; i < body.length; i += inputBody.length) {
            System.arraycopy(inputBody, 0, repeated, i, Math.min(inputBody.length, body.length - i));
        }
        assertArrayEquals(repeated, body, "the input, repeated, in whole records: no zeros");
        PcapFiles.assertTcpdumpReads(recovered, records);
    }
}
