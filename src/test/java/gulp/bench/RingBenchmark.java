package gulp.bench;

import gulp.format.PcapRecordEncoder;
import gulp.format.RecordFraming;
import gulp.ring.ByteRing;
import gulp.ring.ByteRingConsumer;
import gulp.ring.ByteRingProducer;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Records per second through the reader-to-writer hand-off: {@link PcapRecordEncoder#append} of a
 * {@code frameBytes}-byte frame into a {@link ByteRing}, publication, then a consumer that walks the
 * record headers the way {@code gulp.pipeline.Writer} counts records, and releases the bytes. No
 * I/O: this is the ceiling the ring puts on the pipeline. Multiply by {@code frameBytes + 16} for
 * bytes per second.
 *
 * <ul>
 *   <li>{@code sameThread}: one thread appends a batch of {@value #BATCH} records, publishes, then
 *   drains them: one core, no cache-line traffic between cores.</li>
 *   <li>{@code spsc} group: a producer thread and a consumer thread (two cores), the real layout.
 *   The aux counter {@code consumed} is the consumer's count of records drained per second
 *   ({@code produced} the producer's, {@code fullRing} its batches cut short by a full ring); the
 *   primary score counts invocations of both threads, so read {@code consumed}.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
public class RingBenchmark {
    /** Records per publication: the file source publishes every 4096, a kernel block holds tens to hundreds. */
    static final int BATCH = 64;
    /** Distinct source frames, 2 KiB apart, so the copy does not always read the same cache lines. */
    private static final int FRAMES = 64;
    private static final long FRAME_STRIDE = 2048;
    private static final long TIMESTAMP = 1_764_000_000_123_456_789L;

    /** The ring, the encoder and the frames; shared by the producer and the consumer of a group. */
    @State(Scope.Group)
    public static class Shared {
        @Param({"64", "300", "1500"})
        public int frameBytes;

        /** 4 MiB (fits the last-level cache) and 100 MiB (gulp's default -r: records leave the cache). */
        @Param({"4194304", "104857600"})
        public long ringBytes;

        Arena arena;
        ByteRing ring;
        PcapRecordEncoder encoder;
        MemorySegment frames;
        final RecordFraming framing = RecordFraming.pcap(false);

        @Setup(Level.Trial)
        public void setUp() {
            arena = Arena.ofShared();
            ring = ByteRing.allocate(ringBytes, arena);
            encoder = new PcapRecordEncoder(false, 262_144);
            frames = randomFrames(arena, FRAMES * FRAME_STRIDE);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            arena.close();
        }
    }

    /** {@code bytes} of random frame data, 64-byte aligned, in {@code arena} (also {@link EncoderBenchmark}'s). */
    static MemorySegment randomFrames(Arena arena, long bytes) {
        MemorySegment frames = arena.allocate(bytes, 64);
        byte[] random = new byte[(int) bytes];
        ThreadLocalRandom.current().nextBytes(random);
        MemorySegment.copy(MemorySegment.ofArray(random), 0, frames, 0, random.length);
        return frames;
    }

    /** Per-thread counts reported by JMH as rates (records/s). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counts {
        public long produced;
        public long consumed;
        public long fullRing;

        @Setup(Level.Iteration)
        public void clear() {
            produced = 0;
            consumed = 0;
            fullRing = 0;
        }
    }

    /** Per-thread cursor over the source frames. */
    @State(Scope.Thread)
    public static class Cursor {
        int next;

        long nextFrameOffset() {
            int i = next;
            next = (i + 1) & (FRAMES - 1);
            return i * FRAME_STRIDE;
        }
    }

    @Benchmark
    @Group("sameThread") // a group of one thread, so it can share the Scope.Group state type
    @GroupThreads(1)
    @OperationsPerInvocation(BATCH)
    public long sameThread(Shared s, Cursor cursor) {
        ByteRingProducer producer = s.ring.producer();
        for (int i = 0; i < BATCH; i++) {
            // The ring is drained below after every batch, so there is always room.
            s.encoder.append(producer, TIMESTAMP, 0, 0, 0, s.frames, cursor.nextFrameOffset(), s.frameBytes, s.frameBytes);
        }
        producer.publish();
        return drain(s);
    }

    @Benchmark
    @Group("spsc")
    @GroupThreads(1)
    public void producer(Shared s, Cursor cursor, Counts counts) {
        ByteRingProducer producer = s.ring.producer();
        int stored = 0;
        for (int i = 0; i < BATCH; i++) {
            if (s.encoder.append(producer, TIMESTAMP, 0, 0, 0, s.frames, cursor.nextFrameOffset(), s.frameBytes, s.frameBytes) == 0) {
                counts.fullRing++;
                break; // never wait inside an invocation: the consumer may already have stopped
            }
            stored++;
        }
        producer.publish();
        counts.produced += stored;
    }

    @Benchmark
    @Group("spsc")
    @GroupThreads(1)
    public long consumer(Shared s, Counts counts) {
        long records = drain(s);
        if (records == 0) {
            Thread.onSpinWait();
        }
        counts.consumed += records;
        return records;
    }

    /** Walks every published record header (as the writer counts records) and releases the bytes. */
    private static long drain(Shared s) {
        ByteRingConsumer consumer = s.ring.consumer();
        long readable = consumer.refresh();
        long position = consumer.head();
        long end = position + readable;
        long records = 0;
        while (position < end) {
            position += s.framing.recordLength(consumer, position);
            records++;
        }
        consumer.release(readable);
        return records;
    }
}
