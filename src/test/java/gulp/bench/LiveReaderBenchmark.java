package gulp.bench;

import gulp.capture.BlockWalker;
import gulp.format.PcapRecordEncoder;
import gulp.pipeline.PacketPath;
import gulp.pipeline.RunControl;
import gulp.ring.ByteRing;
import gulp.ring.ByteRingConsumer;
import gulp.stats.CaptureCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The live reader's user-space cost per packet: walking a TPACKET_V3 block (synthetic, in
 * ordinary memory, laid out as the kernel does) and encoding each packet into gulp's ring through
 * the real PacketPath; the ring is emptied after each block without writing anywhere.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED"})
public class LiveReaderBenchmark {
    static final int PACKETS_PER_BLOCK = 1024;

    @Param({"64", "300", "1500"})
    int frameBytes;

    private Arena arena;
    private MemorySegment block;
    private ByteRingConsumer consumer;
    private PacketPath path;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        block = arena.allocate(4L << 20, 4096);
        int[] lengths = new int[PACKETS_PER_BLOCK];
        Arrays.fill(lengths, frameBytes);
        BlockWalker.writeSyntheticBlock(block, 0, lengths, System.currentTimeMillis() * 1_000_000L, false);
        ByteRing ring = ByteRing.allocate(64L << 20, arena);
        consumer = ring.consumer();
        path = new PacketPath(ring.producer(), new PcapRecordEncoder(false, 262_144), false, new CaptureCounters(),
                new RunControl(), 0, 0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(PACKETS_PER_BLOCK)
    public int walkOneBlock() {
        int packets = BlockWalker.walk(block, 0, path);
        consumer.release(consumer.refresh());
        return packets;
    }
}
