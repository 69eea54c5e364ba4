package gulp.bench;

import gulp.decap.DecapConfig;
import gulp.decap.DecapResult;
import gulp.decap.Decapsulator;
import gulp.decap.OuterLink;
import gulp.decap.Sll2Header;
import gulp.testing.Frames;
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
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

/**
 * Packets per second through {@link Decapsulator#decapsulate} for every tunnel kind (a 1400-byte
 * mirrored frame behind untagged Ethernet + IPv4, or another outer link layer) and for packets that
 * are not encapsulation ({@code other}: the mirrored TCP frame itself; {@code other-udp}: UDP to
 * port 53), held in native memory as the reader thread would see them in the capture ring.
 * <p>
 * The outcome is returned through {@link #code}, overloaded, so this source compiles against the int
 * outcome codes of the decapsulator before its split and the {@code DecapOutcome} after it
 * ({@code bench/compare-builds.sh} runs this one file against both builds). {@link DecapCpuTime}
 * runs the same {@link #decapsulate()} and measures thread CPU time instead, for a loaded machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DecapBenchmark {
    @Param({"erspan1", "erspan2", "erspan3", "gre", "vxlan", "geneve", "other", "other-udp", "erspan2-sll2", "vxlan-raw"})
    public String encapsulation;

    private static final int PACKETS = 64;
    private Decapsulator decap;
    private final DecapResult result = new DecapResult();
    private MemorySegment ring;
    private final long[] offsets = new long[PACKETS];
    private int length;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        byte[] frame = Frames.innerFrame(1400 - 54);
        byte[] packet = switch (encapsulation) {
            case "erspan1" -> Frames.ethernet(0x0800, Frames.ipv4(47, Frames.gre(0, 0x88BE, 0, 0, frame), 0));
            case "erspan2" -> Frames.ethernet(0x0800, Frames.ipv4(47, Frames.erspanII(7, 1, frame), 0));
            case "erspan3" -> Frames.ethernet(0x0800, Frames.ipv4(47, Frames.erspanIII(7, 1, 0, 0, null, frame), 0));
            case "gre" -> Frames.ethernet(0x0800, Frames.ipv4(47, Frames.gre(0x2000, 0x6558, 42, 0, frame), 0));
            case "vxlan" -> Frames.ethernet(0x0800, Frames.ipv4(17, Frames.vxlan(100, frame), 0));
            case "geneve" -> Frames.ethernet(0x0800, Frames.ipv4(17, Frames.geneve(100, 0x6558, 0, frame), 0));
            case "other" -> frame;
            case "other-udp" -> Frames.ethernet(0x0800, Frames.ipv4(17, Frames.udp(53, new byte[1400 - 42]), 0));
            case "erspan2-sll2" -> sll2(Frames.ipv4(47, Frames.erspanII(7, 1, frame), 0));
            case "vxlan-raw" -> Frames.ipv4(17, Frames.vxlan(100, frame), 0);
            default -> throw new IllegalArgumentException(encapsulation);
        };
        OuterLink link = encapsulation.endsWith("-sll2") ? OuterLink.LINUX_SLL2
                : encapsulation.endsWith("-raw") ? OuterLink.RAW_IP : OuterLink.ETHERNET;
        length = packet.length;
        // Several copies, 2 KiB apart, so the loop does not hit one cache line only; sequence numbers advance.
        ring = Arena.ofAuto().allocate(PACKETS * 2048L, 64);
        for (int i = 0; i < PACKETS; i++) {
            offsets[i] = i * 2048L;
            MemorySegment.copy(MemorySegment.ofArray(packet), 0, ring, offsets[i], length);
        }
        decap = new Decapsulator(DecapConfig.defaults(), link);
    }

    /** A Linux cooked v2 header (protocol IPv4, ARPHRD_ETHER, a 6-byte address) in front of an IPv4 packet. */
    private static byte[] sll2(byte[] ipv4) {
        byte[] packet = new byte[Sll2Header.LENGTH + ipv4.length];
        packet[Sll2Header.PROTOCOL_OFFSET] = 0x08;
        packet[Sll2Header.ARPHRD_TYPE_OFFSET + 1] = 1;
        packet[Sll2Header.ADDRESS_LENGTH_OFFSET] = 6;
        System.arraycopy(ipv4, 0, packet, Sll2Header.LENGTH, ipv4.length);
        return packet;
    }

    @Benchmark
    public int decapsulate() {
        int i = next;
        next = (i + 1) & (PACKETS - 1);
        return code(decap.decapsulate(ring, offsets[i], length, length, 1_764_000_000_000_000_000L, result))
                + result.innerCaplen();
    }

    /** The outcome of a decapsulator that returns an enum. */
    private static int code(Enum<?> outcome) {
        return outcome.ordinal();
    }

    /** The outcome of a decapsulator that returns int codes (before the split of issue 10). */
    @SuppressWarnings("unused")
    private static int code(int outcome) {
        return outcome;
    }
}
