package gulp.bench;

import gulp.format.PcapRecordEncoder;
import gulp.format.PcapngBlock;
import gulp.format.PcapngRecordEncoder;
import gulp.format.RecordEncoder;
import gulp.format.RecordFraming;
import gulp.ring.ByteRing;
import gulp.ring.ByteRingConsumer;
import gulp.ring.ByteRingProducer;
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
import java.util.concurrent.TimeUnit;

/**
 * Classic pcap against pcapng encoding (issue 11: pcapng may cost at most 5 % more CPU per packet
 * at 64 B, nothing measurable at 1500 B): {@link RecordEncoder#append} of a batch into a 4 MiB
 * ring, publish, and the writer's walk of the record lengths and release, on one core, as
 * {@link RingBenchmark}'s {@code sameThread}. pcapng packets carry {@code epb_flags} (inbound
 * unicast), as a live capture's do. Run with {@code $J EncoderBenchmark -prof gc}
 * (BENCHMARKS.md §3.4; earlier runs in docs/benchmarks-history.md §1a); compare the two formats of one run only.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
@State(Scope.Thread)
public class EncoderBenchmark {
    private static final int BATCH = RingBenchmark.BATCH;
    private static final long TIMESTAMP = 1_764_000_000_123_456_789L;
    private static final int FRAMES = 64;
    private static final long FRAME_STRIDE = 2048;
    private static final int INBOUND_UNICAST = PcapngBlock.FLAG_INBOUND
            | PcapngBlock.RECEPTION_UNICAST << PcapngBlock.FLAG_RECEPTION_SHIFT;

    @Param({"pcap", "pcapng", "pcapng-file"})
    public String format;

    @Param({"64", "1500"})
    public int frameBytes;

    private Arena arena;
    private ByteRing ring;
    private RecordEncoder encoder;
    private RecordFraming framing;
    private int flags;
    private MemorySegment frames;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        ring = ByteRing.allocate(4L << 20, arena);
        encoder = format.startsWith("pcapng") ? new PcapngRecordEncoder(262_144, "Linux")
                : new PcapRecordEncoder(false, 262_144);
        framing = encoder.framing();
        flags = format.equals("pcapng") ? INBOUND_UNICAST : 0; // "pcapng-file": no options, as file input
        frames = RingBenchmark.randomFrames(arena, FRAMES * FRAME_STRIDE);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long encodeAndWalk() {
        ByteRingProducer producer = ring.producer();
        for (int i = 0; i < BATCH; i++) {
            int frame = next;
            next = (frame + 1) & (FRAMES - 1);
            // The ring is drained below after every batch, so there is always room.
            encoder.append(producer, TIMESTAMP + i, 0, flags, 0, frames, frame * FRAME_STRIDE, frameBytes, frameBytes);
        }
        producer.publish();
        ByteRingConsumer consumer = ring.consumer();
        long readable = consumer.refresh();
        long position = consumer.head();
        long end = position + readable;
        long records = 0;
        while (position < end) {
            position += framing.recordLength(consumer, position);
            records++;
        }
        consumer.release(readable);
        return records;
    }
}
