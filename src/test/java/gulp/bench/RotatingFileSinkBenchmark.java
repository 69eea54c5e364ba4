package gulp.bench;

import gulp.output.FileNamer;
import gulp.output.FsyncPolicy;
import gulp.output.RotatingFileSink;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How fast the {@code -o} sink moves the writer's slices to disk: one operation is one write of
 * {@code sliceBytes} (the writer's -z block) from page-aligned off-heap memory, as the writer hands
 * out ring slices; a new file every {@code fileMiB}, at most four files kept (older ones deleted). Throughput x slice
 * size = bytes per second. The directory is -Dgulp.bench.dir (default target/bench-out), so the
 * figure can be compared with dd on the same file system.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 10)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:MaxDirectMemorySize=1g"})
public class RotatingFileSinkBenchmark {
    @Param({"false", "true"})
    public boolean directIo;

    @Param({"1048576"})
    public int sliceBytes;

    @Param({"never", "file"})
    public String fsync;

    @Param({"1024"})
    public int fileMiB;

    private Arena arena;
    private ByteBuffer slice;
    private RotatingFileSink sink;
    private Path dir;
    private long writesPerFile;
    private long writes;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("gulp.bench.dir", "target/bench-out"))), "sink");
        arena = Arena.ofShared();
        MemorySegment memory = arena.allocate(sliceBytes, 4096);
        for (long i = 0; i < sliceBytes; i++) {
            memory.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        slice = memory.asByteBuffer();
        sink = RotatingFileSink.open(new RotatingFileSink.Settings(
                new RotatingFileSink.Destination(dir, FileNamer.of("bench", false, null, 0), 0640), gulp.format.FileEnvelope.fixed(new byte[24]),
                new RotatingFileSink.Durability(FsyncPolicy.parse(fsync), directIo), new RotatingFileSink.Retention(4, 0, 0, 0),
                null, () -> true, line -> System.err.println("gulp: " + line)));
        writesPerFile = ((long) fileMiB << 20) / sliceBytes;
    }

    @Benchmark
    public void writeSlice() throws IOException {
        sink.write(slice.clear());
        if (++writes % writesPerFile == 0) {
            sink.rotate();
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        sink.close();
        arena.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
