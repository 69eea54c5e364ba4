package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Test oracle: libpcap's own user-space interpreter, {@code u_int bpf_filter(const struct bpf_insn *,
 * const u_char *pkt, u_int wirelen, u_int buflen)}, called on the same program and bytes.
 */
public final class LibPcapBpfFilter {
    private static final MethodHandle BPF_FILTER = Linker.nativeLinker().downcallHandle(
            SymbolLookup.libraryLookup("libpcap.so.0.8", Arena.global()).find("bpf_filter").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private LibPcapBpfFilter() {}

    /** Columns code/jt/jf/k; the program must be valid (bpf_filter trusts it). */
    public static int run(int[] code, int[] jt, int[] jf, int[] k, byte[] packet, int caplen, int wirelen) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment insns = arena.allocate(BpfLayouts.SOCK_FILTER, code.length);
            for (int i = 0; i < code.length; i++) {
                insns.set(ValueLayout.JAVA_SHORT, 8L * i, (short) code[i]);
                insns.set(ValueLayout.JAVA_BYTE, 8L * i + 2, (byte) jt[i]);
                insns.set(ValueLayout.JAVA_BYTE, 8L * i + 3, (byte) jf[i]);
                insns.set(ValueLayout.JAVA_INT, 8L * i + 4, k[i]);
            }
            MemorySegment pkt = arena.allocate(Math.max(1, packet.length));
            pkt.copyFrom(MemorySegment.ofArray(packet));
            return (int) BPF_FILTER.invokeExact(insns, pkt, wirelen, caplen);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
