package gulp.linux;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * Kernel and libpcap layouts of classic BPF programs (x86-64 / LP64, native byte order).
 *
 * <pre>
 * struct sock_filter / struct bpf_insn (8 bytes):
 *   0      2    3    4            8
 *   +------+----+----+------------+
 *   | code | jt | jf |     k      |
 *   +------+----+----+------------+
 *     u16    u8   u8     u32
 *
 * struct sock_fprog (SO_ATTACH_FILTER, 16 bytes):
 *   0      2            8                 16
 *   +------+------------+-----------------+
 *   | len  |  padding   | sock_filter *   |
 *   +------+------------+-----------------+
 *     u16     6 bytes        pointer
 *
 * struct bpf_program (libpcap, 16 bytes):
 *   0          4          8                 16
 *   +----------+----------+-----------------+
 *   |  bf_len  | padding  | bpf_insn *      |
 *   +----------+----------+-----------------+
 *      u32       4 bytes      pointer
 * </pre>
 */
public final class BpfLayouts {
    private BpfLayouts() {}

    /** BPF_RET|BPF_K (linux/filter.h): an instruction that returns its k; k = 0 rejects the packet. */
    public static final int RET_K = 0x06;

    public static final long INSN_SIZE = 8;
    public static final long INSN_CODE_OFFSET = 0;
    public static final long INSN_JT_OFFSET = 2;
    public static final long INSN_JF_OFFSET = 3;
    public static final long INSN_K_OFFSET = 4;

    public static final long SOCK_FPROG_SIZE = 16;
    public static final long SOCK_FPROG_LEN_OFFSET = 0;
    public static final long SOCK_FPROG_FILTER_OFFSET = 8;

    public static final long BPF_PROGRAM_SIZE = 16;
    public static final long BPF_PROGRAM_LEN_OFFSET = 0;
    public static final long BPF_PROGRAM_INSNS_OFFSET = 8;

    /** struct sock_filter, identical to libpcap's struct bpf_insn. */
    public static final StructLayout SOCK_FILTER = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("code"),
            ValueLayout.JAVA_BYTE.withName("jt"),
            ValueLayout.JAVA_BYTE.withName("jf"),
            ValueLayout.JAVA_INT.withName("k"));

    /** struct sock_fprog: the padding after len must be explicit for FFM. */
    public static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("len"),
            MemoryLayout.paddingLayout(6),
            ValueLayout.ADDRESS.withName("filter"));

    /** libpcap's struct bpf_program. */
    public static final StructLayout BPF_PROGRAM = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("bf_len"),
            MemoryLayout.paddingLayout(4),
            ValueLayout.ADDRESS.withName("bf_insns"));
}
