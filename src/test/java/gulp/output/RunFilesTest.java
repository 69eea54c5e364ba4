package gulp.output;

import gulp.ring.ByteRingConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --max-total} counts each finished file with its index, the index there or still to come. */
class RunFilesTest {
    /** An index hook whose index of a file never comes while the test looks (one the index thread is late with). */
    private static final FileIndexHook LATE_INDEX = new FileIndexHook() {
        @Override
        public void fileStarted(Path part, Path target, long headerLength) {
        }

        @Override
        public void packet(ByteRingConsumer ring, long position, long offset) {
        }

        @Override
        public void written(ByteRingConsumer ring, long end) {
        }

        @Override
        public void fileEnded(long length) {
        }

        @Override
        public void fileFinished(Path part, Path target) {
        }

        @Override
        public long indexBytesBound(long fileBytes) {
            return 400;
        }
    };

    @Test
    void anIndexNotYetBesideItsFinishedFileCountsForMaxTotalAtTheMostItCanTake(@TempDir Path dir) throws Exception {
        List<String> report = new ArrayList<>();
        RunFiles files = new RunFiles(new RotatingFileSink.Retention(0, 1000, 0, 0), dir, null, report::add);
        files.indexWith(LATE_INDEX);
        Path older = finish(files, dir.resolve("a.pcap"), 500);
        assertTrue(Files.exists(older), "500 + at most 400 of index: within 1000");
        Path newer = finish(files, dir.resolve("b.pcap"), 500);
        // Counted without their indexes (1000), both would stay, and their indexes, once written, exceed --max-total.
        assertFalse(Files.exists(older), "two files of 500 with indexes of up to 400 each: over 1000");
        assertTrue(Files.exists(newer));
        assertEquals(List.of(), report);
    }

    /** A file of {@code bytes} handed over and finished, as the finisher does, with no index beside it yet. */
    private static Path finish(RunFiles files, Path file, int bytes) throws Exception {
        files.handedOver(bytes);
        Files.write(file, new byte[bytes]);
        files.finished(file, bytes);
        files.afterFinished();
        return file;
    }
}
