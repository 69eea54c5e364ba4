package gulp.output;

import gulp.testing.PcapFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code -W}: retention counts the files of a run, finished or still being finished, exactly once. */
class RotatingFileSinkRetentionTest {
    @TempDir
    Path dir;

    private RotatingFileSink sink(long maxFiles, List<String> report) throws Exception {
        return RotatingFileSink.open(new RotatingFileSink.Settings(
                new RotatingFileSink.Destination(dir, FileNamer.of("w", false, null, 0), 0640), gulp.format.FileEnvelope.fixed(PcapFiles.syntheticHeader()),
                new RotatingFileSink.Durability(FsyncPolicy.NEVER, false), new RotatingFileSink.Retention(maxFiles, 0, 0, 0),
                null, () -> true, report::add));
    }

    private long filesInDirectory() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".pcap")
                    || p.getFileName().toString().endsWith(".part")).count();
        }
    }

    @Test
    void maxFilesNeverDeletesOneFileTooManyWhileTheFinisherHandsAFileOver() throws Exception {
        int maxFiles = 3;
        List<String> report = new ArrayList<>();
        RotatingFileSink sink = sink(maxFiles, report);
        byte[] record = PcapFiles.syntheticRecord(0, 60, 1_700_000_000_000_000L);
        int tooFew = 0;
        try {
            for (int file = 0; file < 3000; file++) {
                sink.write(ByteBuffer.wrap(record)); // opens the next file: retention makes room for it
                long present = filesInDirectory(); // the finisher never deletes below -W: no race here
                if (present < Math.min(maxFiles, file + 1)) {
                    tooFew++;
                }
                sink.rotate();
            }
        } finally {
            sink.close();
        }
        assertEquals(0, tooFew, "times a file too many was deleted");
        assertEquals(maxFiles, filesInDirectory());
        assertTrue(report.isEmpty(), report.toString());
    }
}
