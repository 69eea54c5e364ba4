package gulp.bench;

import gulp.extract.LiveIndexer;
import gulp.format.PcapRecordEncoder;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The writer's share of the extraction index per record (issue 13: under 5 % CPU per packet at
 * 64 B): the writer's record walk over a span of {@link #BATCH} Ethernet records already in a
 * ring showing {@link LiveIndexer#packet} each, as the writer does after each write, against the
 * same walk without it ({@code walkOnly}). Addresses come from {@code hosts} distinct
 * ones (64: an exact set; 100000: the Bloom filter). {@code traffic}: {@code random}, every
 * packet a new random IPv4/UDP pair; {@code flows}, a realistic mix: 16 flows active at once,
 * interleaved, each of 1 to 15 packets (8 on average) between random hosts, TCP and UDP, one in
 * ten over IPv6. Run with {@code $J IndexerBenchmark -prof gc} (latest figures BENCHMARKS.md §3.5; the runs in docs/benchmarks-history.md §9).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC"})
@State(Scope.Thread)
public class IndexerBenchmark {
    static final int BATCH = 32768;
    /** Records in the span ({@link #BATCH} under JMH; {@link IndexerCpuTime} may take fewer, to stay in the caches). */
    int records = BATCH;

    @Param({"pcap", "pcapng"})
    public String format;

    @Param({"64"})
    public int frameBytes;

    @Param({"64", "100000"})
    public int hosts;

    @Param({"flows", "random"})
    public String traffic;

    private Arena arena;
    private ByteRing ring;
    private RecordEncoder encoder;
    private LiveIndexer indexer;
    private Path dir;
    private long span;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        arena = Arena.ofShared();
        encoder = format.equals("pcapng") ? new PcapngRecordEncoder(262_144, "Linux") : new PcapRecordEncoder(false, 262_144);
        ring = ByteRing.allocate(8L << 20, arena);
        MemorySegment frame = arena.allocate(frameBytes);
        ByteRingProducer producer = ring.producer();
        java.util.Random random = new java.util.Random(1);
        int[][] flows = new int[16][];
        for (int i = 0; i < records; i++) {
            int[] f;
            if (traffic.equals("random")) {
                f = new int[] {random.nextInt(hosts), random.nextInt(hosts), 1024 + random.nextInt(4), 53, 17, 0, 1};
            } else {
                int which = random.nextInt(flows.length);
                f = flows[which];
                if (f == null || f[6] == 0) { // a new flow in this slot
                    f = flows[which] = new int[] {random.nextInt(hosts), random.nextInt(hosts), 1024 + random.nextInt(60000),
                            random.nextBoolean() ? 443 : 53, random.nextBoolean() ? 6 : 17, random.nextInt(10) == 0 ? 1 : 0,
                            1 + random.nextInt(15)};
                }
                f[6]--;
            }
            if (f[5] == 1) {
                udp6(frame, f[0], f[1], f[2], f[3], f[4]);
            } else {
                udp(frame, f[0], f[1], f[2], f[3], f[4]);
            }
            encoder.append(producer, 1_764_000_000_000_000_000L + i * 1000L, 0, 0, 0, frame, 0, frameBytes, frameBytes);
        }
        producer.publish();
        ring.consumer().refresh();
        span = ring.consumer().readable();
        dir = Files.createTempDirectory("indexer-bench");
        indexer = new LiveIndexer(1, encoder.framing(), format.equals("pcapng"), line -> { });
    }

    private static final java.lang.foreign.ValueLayout.OfShort BE16 =
            java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    private static final java.lang.foreign.ValueLayout.OfInt BE32 =
            java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    /** Ethernet/IPv4/{@code protocol} from 10.0.0.0 + src to 10.0.0.0 + dst. */
    private static void udp(MemorySegment f, int src, int dst, int sport, int dport, int protocol) {
        f.fill((byte) 0);
        f.set(BE16, 12, (short) 0x0800);
        f.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 14, (byte) 0x45);
        f.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 23, (byte) protocol);
        f.set(BE32, 26, 0x0A000000 | src);
        f.set(BE32, 30, 0x0A000000 | dst);
        f.set(BE32, 34, sport << 16 | dport);
    }

    /** Ethernet/IPv6/{@code protocol} from 2001:db8::src to 2001:db8::dst (the frame is at least 58 bytes). */
    private static void udp6(MemorySegment f, int src, int dst, int sport, int dport, int protocol) {
        f.fill((byte) 0);
        f.set(BE16, 12, (short) 0x86DD);
        f.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 14, (byte) 0x60);
        f.set(java.lang.foreign.ValueLayout.JAVA_BYTE, 20, (byte) protocol);
        f.set(BE32, 22, 0x20010DB8);
        f.set(BE32, 34, src);
        f.set(BE32, 38, 0x20010DB8);
        f.set(BE32, 50, dst);
        f.set(BE32, 54, sport << 16 | dport);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        arena.close();
        for (int attempt = 0; attempt < 50; attempt++) { // the index thread may still be writing the last file's index
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (java.nio.file.DirectoryNotEmptyException e) {
                Thread.sleep(100);
            }
        }
        Files.deleteIfExists(dir);
    }

    /** A new file for each iteration, as rotation starts them (its index written at the end). */
    @Setup(Level.Iteration)
    public void startFile() {
        indexer.fileStarted(dir.resolve(".f.pcap.part"), dir.resolve("f.pcap"), 24);
    }

    @TearDown(Level.Iteration)
    public void endFile() {
        indexer.fileEnded(24);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long indexSpan() {
        // The writer's walk (Writer.countRecordsUpTo) over the same span again and again, showing
        // the index each packet: the indexer reads in place, so only the file offsets repeat.
        ByteRingConsumer c = ring.consumer();
        RecordFraming framing = encoder.framing();
        long records = 0;
        for (long p = 0; p < span; ) {
            long signedLength = framing.signedRecordLength(c, p);
            if (signedLength > 0) {
                indexer.packet(c, p, p);
                records++;
            }
            p += Math.abs(signedLength);
        }
        indexer.written(c, span);
        return records;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long walkOnly() {
        // The writer's own walk, without the index.
        ByteRingConsumer c = ring.consumer();
        RecordFraming framing = encoder.framing();
        long records = 0;
        for (long p = 0; p < span; ) {
            long signedLength = framing.signedRecordLength(c, p);
            if (signedLength > 0) {
                records++;
            }
            p += Math.abs(signedLength);
        }
        return records;
    }
}
