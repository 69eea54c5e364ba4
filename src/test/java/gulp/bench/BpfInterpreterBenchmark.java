package gulp.bench;

import gulp.filter.BpfInterpreter;
import gulp.filter.EncapShape;
import gulp.filter.FilterCompiler;
import gulp.filter.FilterException;
import gulp.filter.InnerFilterProgram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/** The Java classic-BPF interpreter on one packet: `udp port 53` on a 64-byte frame, plus the -d inner-filter program. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class BpfInterpreterBenchmark {

    // Ethernet + IPv4 (IHL 5) + UDP 40000 -> 53 + 22 bytes: 64 bytes
    private static final String UDP_DNS_64 = "0050568b6dc700aecd0007c70800"
            + "45000032abcd40004011000a0a0000010a000002"
            + "9c400035001e0000" + "00".repeat(22);
    // Ethernet + IPv4 + TCP 443 -> 40000: 64 bytes, does not match
    private static final String TCP_64 = "0050568b6dc700aecd0007c70800"
            + "45000032abcd40004006000a0a0000010a000002"
            + "01bb9c40" + "00000000" + "00000000" + "5010" + "0000" + "0000" + "0000" + "00".repeat(10);

    private Arena arena;
    private MemorySegment udp, tcp, erspan;
    private BpfInterpreter udpPort53, innerUdpPort53;

    @Setup
    public void setUp() throws FilterException {
        arena = Arena.ofConfined();
        udp = copy(HexFormat.of().parseHex(UDP_DNS_64));
        tcp = copy(HexFormat.of().parseHex(TCP_64));
        byte[] inner = HexFormat.of().parseHex(UDP_DNS_64);
        byte[] outer = HexFormat.of().parseHex("0050568b6dc700aecd0007c70800"
                + String.format("4500%04x0000000040 2f0000 0a000001 0a000002".replace(" ", ""), 20 + 16 + inner.length)
                + "100088be00000001" + "1000000000000000");
        byte[] frame = new byte[outer.length + inner.length];
        System.arraycopy(outer, 0, frame, 0, outer.length);
        System.arraycopy(inner, 0, frame, outer.length, inner.length);
        erspan = copy(frame);
        udpPort53 = new BpfInterpreter(FilterCompiler.compile("udp port 53"));
        innerUdpPort53 = new BpfInterpreter(InnerFilterProgram.build(FilterCompiler.compile("udp port 53"),
                EncapShape.standard(), true));
        if (udpPort53.run(udp, 0, 64, 64) == 0 || udpPort53.run(tcp, 0, 64, 64) != 0
                || innerUdpPort53.run(erspan, 0, (int) erspan.byteSize(), (int) erspan.byteSize()) != 262144 + 50) {
            throw new IllegalStateException("benchmark frames do not give the expected verdicts");
        }
    }

    private MemorySegment copy(byte[] bytes) {
        MemorySegment s = arena.allocate(bytes.length);
        s.copyFrom(MemorySegment.ofArray(bytes));
        return s;
    }

    @TearDown
    public void tearDown() { arena.close(); }

    @Benchmark
    public int udpPort53OnMatchingUdp64() { return udpPort53.run(udp, 0, 64, 64); }

    @Benchmark
    public int udpPort53OnTcp64() { return udpPort53.run(tcp, 0, 64, 64); }

    @Benchmark
    public int innerUdpPort53OnErspanII() { return innerUdpPort53.run(erspan, 0, 114, 114); }
}
