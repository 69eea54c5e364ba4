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
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The coordinator of {@code -o}: files named after the time the writer passes, whole files at close. */
class RotatingFileSinkTest {
    private static final long SECOND = 1_000_000_000L;

    @TempDir
    Path dir;

    private RotatingFileSink timeNamedSink(List<String> report) throws Exception {
        return RotatingFileSink.open(new RotatingFileSink.Settings(
                new RotatingFileSink.Destination(dir, FileNamer.of("t", true, null, 0), 0640), gulp.format.FileEnvelope.fixed(PcapFiles.syntheticHeader()),
                new RotatingFileSink.Durability(FsyncPolicy.NEVER, false), RotatingFileSink.Retention.NONE,
                null, () -> true, report::add));
    }

    private List<String> finishedNames() throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
        }
    }

    @Test
    void eachFileIsNamedAfterTheTimeTheWriterPassesForIt() throws Exception {
        List<String> report = new ArrayList<>();
        RotatingFileSink sink = timeNamedSink(report);
        byte[] record = PcapFiles.syntheticRecord(0, 60, 0);
        try {
            sink.startFile(1_700_000_000L * SECOND); // 2023-11-14 22:13:20 UTC
            sink.write(ByteBuffer.wrap(record));
            sink.startFile(1_800_000_000L * SECOND); // a file is open: ignored
            sink.write(ByteBuffer.wrap(record));
            sink.rotate();
            sink.startFile(1_600_000_000L * SECOND + 123_000_000L); // 2020-09-13 12:26:40.123 UTC
            sink.write(ByteBuffer.wrap(record));
        } finally {
            sink.close();
        }
        List<String> names = finishedNames();
        assertEquals(2, names.size(), names.toString());
        assertTrue(names.get(0).startsWith("t_20200913-122640.123_"), names.toString());
        assertTrue(names.get(1).startsWith("t_20231114-221320.000_"), names.toString());
        assertEquals(24 + 2L * record.length, Files.size(dir.resolve(names.get(1))));
        assertTrue(report.isEmpty(), report.toString());
    }

    /**
     * The writer's write size ({@link Sink#writeSize}, the one rule of packet runs and {@code -c}):
     * O_DIRECT files take {@link FileAppender#DIRECT_BLOCK_BYTES} unless {@code -z} was given,
     * buffered ones keep {@code -z}'s default.
     */
    @Test
    void oDirectFilesGetTheDirectWriteSizeUnlessMinusZWasGiven() throws Exception {
        Path disk = Files.createTempDirectory(Files.createDirectories(Path.of("target", "test-write-size").toAbsolutePath()), "run");
        int byDefault = gulp.run.Options.DEFAULT_BLOCK_SIZE;
        for (boolean direct : new boolean[] {true, false}) {
            RotatingFileSink sink = RotatingFileSink.open(new RotatingFileSink.Settings(
                    new RotatingFileSink.Destination(disk, FileNamer.of("w", false, null, 0), 0640),
                    gulp.format.FileEnvelope.fixed(PcapFiles.syntheticHeader()),
                    new RotatingFileSink.Durability(FsyncPolicy.NEVER, direct), RotatingFileSink.Retention.NONE,
                    null, () -> true, s -> { }));
            try {
                if (direct) {
                    assumeTrue(sink.describe().contains("O_DIRECT"), "the file system under target/ refuses O_DIRECT");
                }
                assertEquals(direct ? FileAppender.DIRECT_BLOCK_BYTES : byDefault, Sink.writeSize(sink, byDefault, false));
                assertEquals(8192, Sink.writeSize(sink, 8192, true));
            } finally {
                sink.close();
            }
        }
        try (Stream<Path> files = Files.walk(disk)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
