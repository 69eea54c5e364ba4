package gulp.extract;

import gulp.testing.GulpProcess;
import gulp.testing.PcapFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code gulp extract} while another program changes the files it reads: a real extraction held
 * up by its output (a 1 MiB ring, a pipe this test stops reading), the file changed, then the
 * output drained.
 */
class ExtractWhileFilesChangeTest {
    static final long BASE = ExtractCommandTest.BASE;
    static final int FRAME = 1000;
    static final int RECORD = PcapFiles.RECORD_HEADER_LENGTH + FRAME;
    static final int PACKETS = 64 << 10; // 64 MiB of records: far more than the ring, the cursor's buffer and the pipe

    /** A file of {@link #PACKETS} frames of {@link #FRAME} bytes stamped {@code first}, {@code first + 1000}, ... */
    static void write(Path file, long first) throws IOException {
        List<PcapFiles.Frame> frames = new ArrayList<>(PACKETS);
        for (int i = 0; i < PACKETS; i++) {
            byte[] data = Arrays.copyOf(ExtractCommandTest.frame(1 + i % 5, 1000 + i % 50000, i), FRAME);
            frames.add(new PcapFiles.Frame(first + i * 1000L, FRAME, data));
        }
        PcapFiles.writeFrames(file, frames);
    }

    /** A running extraction of {@code dir} with its output held up once the first 64 KiB came out. */
    record Held(Process process, ByteArrayOutputStream out, CompletableFuture<String> stderr) {
        static Held start(Path dir) throws IOException {
            Process p = GulpProcess.builder("extract", dir.toString(), "-r", "1", "-q").start();
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(p.getErrorStream().readAllBytes());
                } catch (IOException e) {
                    return e.toString();
                }
            });
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(p.getInputStream().readNBytes(64 << 10));
            return new Held(p, out, err);
        }

        byte[] drain() throws Exception {
            try (InputStream in = process.getInputStream()) {
                in.transferTo(out);
            }
            return out.toByteArray();
        }
    }

    /** gulp's own lines ({@code gulp: ...}), not the summary's counts. */
    static List<String> messages(String stderr) {
        return stderr.lines().filter(l -> l.startsWith("gulp: ")).toList();
    }

    @Test
    void aFileTruncatedWhileReadIsOneLineAndItsRecordsBeforeTheCutComeOut(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        Path file = d.resolve("a.pcap");
        write(file, BASE);
        byte[] original = Files.readAllBytes(file);
        long cut = (32L << 20) + 7; // inside a record, far past what the held extraction has read
        Held held = Held.start(d);
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.truncate(cut);
        }
        Ended ended = Ended.of(held);
        byte[] out = ended.out();
        assertTrue(ended.line().contains(file.toString()) && ended.line().contains("shrank from " + original.length + " to " + cut),
                ended.stderr());
        long whole = (cut - PcapFiles.HEADER_LENGTH) / RECORD; // the records before the cut, each whole
        byte[] body = Arrays.copyOfRange(out, PcapFiles.HEADER_LENGTH, out.length);
        assertEquals(whole * RECORD, body.length);
        assertArrayEquals(Arrays.copyOfRange(original, PcapFiles.HEADER_LENGTH, (int) (PcapFiles.HEADER_LENGTH + whole * RECORD)),
                body);
    }

    @Test
    void aFileDeletedBeforeTheMergeReachesItIsSkippedWithOneLine(@TempDir Path dir) throws Exception {
        Path d = Files.createDirectory(dir.resolve("d"));
        Path first = d.resolve("a.pcap");
        Path later = d.resolve("b.pcap");
        write(first, BASE);
        write(later, BASE + PACKETS * 1000L); // opened once the merge has read all of a.pcap
        Held held = Held.start(d);
        Files.delete(later); // as retention would
        Ended ended = Ended.of(held);
        assertTrue(ended.line().contains(later.toString()) && ended.line().contains("deleted during the extraction"),
                ended.stderr());
        assertArrayEquals(PcapFiles.body(first), Arrays.copyOfRange(ended.out(), PcapFiles.HEADER_LENGTH, ended.out().length));
    }

    /** A held extraction drained to its end: exit 0 and exactly one line on stderr, which it holds. */
    private record Ended(byte[] out, String line, String stderr) {
        static Ended of(Held held) throws Exception {
            byte[] out = held.drain();
            int status = held.process().waitFor();
            String stderr = held.stderr().get();
            assertEquals(0, status, stderr);
            List<String> lines = messages(stderr);
            assertEquals(1, lines.size(), stderr);
            return new Ended(out, lines.get(0), stderr);
        }
    }
}
