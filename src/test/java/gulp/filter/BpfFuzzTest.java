package gulp.filter;

import com.code_intelligence.jazzer.junit.FuzzTest;
import gulp.linux.LibPcapBpfFilter;
import gulp.testing.FuzzSeeds;
import gulp.testing.PcapFiles;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static gulp.filter.Bpf.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Coverage-guided fuzzing of the BPF program loader and validator ({@link BpfProgram}) and the
 * user-space interpreter ({@link BpfInterpreter}); docs/fuzzing.md. Without {@code JAZZER_FUZZ}
 * these run the inputs in {@code src/test/resources/gulp/filter/BpfFuzzTestInputs}.
 */
public class BpfFuzzTest {
    /** Bytes of one {@code struct sock_filter}: u16 code, u8 jt, u8 jf, u32 k (little-endian, as on x86). */
    static final int INSN_BYTES = 8;
    private static final int GUARD = 64;
    private static final MemorySegment GUARDED = Arena.global().allocate(65536 + 2 * GUARD);

    /**
     * The input: a byte n (program length n + 1, at most 256), n + 1 instructions as
     * {@code struct sock_filter}, two bytes choosing caplen and wire length, then the packet.
     * Checks: the validator accepts or refuses with {@link FilterException}, nothing else; an
     * accepted program runs without throwing on a segment of exactly the packet's bytes (a read
     * outside them would throw); its verdict does not change when other bytes surround the
     * packet; and it equals libpcap's bpf_filter() verdict (programs with shifts by X excepted:
     * for X of 32 or more libpcap gives 0 where the kernel uses X mod 32).
     */
    @FuzzTest(maxDuration = "12s")
    void validatedProgramsRunInsideThePacketLikeLibpcap(byte[] data) {
        if (data.length < 1 + INSN_BYTES) {
            return;
        }
        int n = Math.min((data[0] & 0xFF) + 1, (data.length - 1) / INSN_BYTES);
        MemorySegment input = MemorySegment.ofArray(data);
        int[] code = new int[n], jt = new int[n], jf = new int[n], k = new int[n];
        for (int i = 0; i < n; i++) {
            long at = 1 + (long) i * INSN_BYTES;
            code[i] = Short.toUnsignedInt(input.get(ValueLayout.JAVA_SHORT_UNALIGNED, at));
            jt[i] = Byte.toUnsignedInt(input.get(ValueLayout.JAVA_BYTE, at + 2));
            jf[i] = Byte.toUnsignedInt(input.get(ValueLayout.JAVA_BYTE, at + 3));
            k[i] = input.get(ValueLayout.JAVA_INT_UNALIGNED, at + 4);
        }
        BpfProgram program = BpfProgram.of(code, jt, jf, k);
        BpfInterpreter interpreter;
        try {
            interpreter = new BpfInterpreter(program);
        } catch (FilterException refused) {
            return;
        }
        program.toString();
        try {
            assertEquals(program, BpfProgram.parse(program.toDdString()), "tcpdump -dd text round trip");
        } catch (FilterException e) {
            throw new AssertionError("its own -dd text refused: " + e.getMessage(), e);
        }

        int rest = 1 + n * INSN_BYTES;
        int lengths = rest + 2 <= data.length ? (data[rest] & 0xFF) << 8 | (data[rest + 1] & 0xFF) : 0;
        int packetStart = Math.min(rest + 2, data.length);
        int packetLength = Math.min(data.length - packetStart, 65536);
        MemorySegment packet = input.asSlice(packetStart, packetLength);
        // caplen: usually the packet, sometimes less, sometimes more than there is (then clipped).
        int caplen = switch (lengths >>> 14) {
            case 0, 1 -> packetLength;
            case 2 -> Math.min(packetLength, lengths & 0x3FFF);
            default -> packetLength + (lengths & 0x3FFF);
        };
        int wirelen = (lengths & 0x2000) != 0 ? (lengths & 0x1FFF) : Math.max(packetLength, caplen);
        int captured = Math.min(caplen, packetLength);

        int verdict = interpreter.run(packet, 0, caplen, wirelen);

        GUARDED.fill((byte) 0xA5);
        MemorySegment.copy(packet, 0, GUARDED, GUARD, packetLength);
        assertEquals(verdict, interpreter.run(GUARDED, GUARD, captured, wirelen),
                "the verdict depends only on the captured bytes");

        if (!shiftsByX(program)) {
            assertEquals(LibPcapBpfFilter.run(code, jt, jf, k, packet.toArray(ValueLayout.JAVA_BYTE), captured, wirelen),
                    verdict, () -> "libpcap's bpf_filter disagrees on\n" + program);
        }
    }

    // ---------------------------------------------------------------- generated seeds (gulp.testing.FuzzSeeds)

    /**
     * Seeds: libpcap's programs for the filter expressions of the other tests (and the kernel
     * program of {@code -d -f 'udp port 53'}), each with a frame of a real capture.
     */
    public static FuzzSeeds.Seeds seeds() throws IOException, FilterException {
        List<PcapFiles.Frame> frames = new ArrayList<>();
        for (String capture : List.of("vxlan.pcap", "erspanII.pcap", "geneve.pcap", "gre-erspan3-dot1q.pcap")) {
            frames.addAll(PcapFiles.ethernetFrames(PcapFiles.ZEEK.resolve(capture)).subList(0, 2));
        }
        Map<String, BpfProgram> programs = new LinkedHashMap<>();
        for (String expression : FilterCorpus.EXPRESSIONS) {
            programs.put(expression, FilterCompiler.compile(expression));
        }
        programs.put("-d -f udp port 53", InnerFilterProgram.build(FilterCompiler.compile("udp port 53"),
                EncapShape.standard(4789), true));
        Map<String, byte[]> files = new LinkedHashMap<>();
        int i = 0;
        for (Map.Entry<String, BpfProgram> program : programs.entrySet()) {
            if (program.getValue().length() > 256) continue;
            byte[] frame = frames.get(i % frames.size()).data();
            files.put(String.format("%02d-%s.bin", i++, program.getKey().replaceAll("[^A-Za-z0-9]+", "_")),
                    programInput(program.getValue(), frame));
        }
        return new FuzzSeeds.Seeds(BpfFuzzTest.class, "validatedProgramsRunInsideThePacketLikeLibpcap", files);
    }

    /** The input format of {@link #validatedProgramsRunInsideThePacketLikeLibpcap}, whole packet. */
    static byte[] programInput(BpfProgram program, byte[] packet) {
        int n = program.length();
        ByteBuffer b = ByteBuffer.allocate(1 + n * INSN_BYTES + 2 + packet.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) (n - 1));
        for (int i = 0; i < n; i++) {
            b.putShort((short) program.code(i)).put((byte) program.jt(i)).put((byte) program.jf(i)).putInt(program.k(i));
        }
        return b.putShort((short) 0).put(packet).array();
    }

    private static boolean shiftsByX(BpfProgram program) {
        for (int pc = 0; pc < program.length(); pc++) {
            if (program.code(pc) == (ALU | LSH | X) || program.code(pc) == (ALU | RSH | X)) {
                return true;
            }
        }
        return false;
    }
}
