package gulp.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * {@code struct sock_fprog} (16 bytes) and its {@code struct sock_filter} instructions (8 bytes
 * each): a classic BPF program for SO_ATTACH_FILTER.
 * <pre>
 *  sock_fprog:  0        2             8              16
 *               | len u16 | padding(6) | filter ptr   |
 *  sock_filter: 0         2      3      4        8
 *               | code u16 | jt u8 | jf u8 | k u32 |
 * </pre>
 */
public final class SockFprog {
    public static final int LEN_OFFSET = 0;
    public static final int FILTER_OFFSET = 8;
    public static final int SIZE = 16;
    public static final int INSN_CODE_OFFSET = 0;
    public static final int INSN_JT_OFFSET = 2;
    public static final int INSN_JF_OFFSET = 3;
    public static final int INSN_K_OFFSET = 4;
    public static final int INSN_SIZE = 8;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("len"), MemoryLayout.paddingLayout(6), ADDRESS.withName("filter")).withName("sock_fprog");
    static final StructLayout INSN_LAYOUT = MemoryLayout.structLayout(
            JAVA_SHORT.withName("code"), JAVA_BYTE.withName("jt"), JAVA_BYTE.withName("jf"), JAVA_INT.withName("k"))
            .withName("sock_filter");

    static {
        LayoutCheck.offset(LAYOUT, "len", LEN_OFFSET);
        LayoutCheck.offset(LAYOUT, "filter", FILTER_OFFSET);
        LayoutCheck.size(LAYOUT, SIZE);
        LayoutCheck.offset(INSN_LAYOUT, "code", INSN_CODE_OFFSET);
        LayoutCheck.offset(INSN_LAYOUT, "jt", INSN_JT_OFFSET);
        LayoutCheck.offset(INSN_LAYOUT, "jf", INSN_JF_OFFSET);
        LayoutCheck.offset(INSN_LAYOUT, "k", INSN_K_OFFSET);
        LayoutCheck.size(INSN_LAYOUT, INSN_SIZE);
    }

    private SockFprog() {
    }

    /**
     * Builds a program from {code, jt, jf, k} rows (the {@code tcpdump -dd} format); both the
     * program and its instructions live in {@code arena}.
     */
    public static MemorySegment build(Arena arena, int[][] instructions) {
        MemorySegment insns = arena.allocate((long) INSN_SIZE * instructions.length, 8);
        for (int i = 0; i < instructions.length; i++) {
            long at = (long) i * INSN_SIZE;
            insns.set(JAVA_SHORT, at + INSN_CODE_OFFSET, (short) instructions[i][0]);
            insns.set(JAVA_BYTE, at + INSN_JT_OFFSET, (byte) instructions[i][1]);
            insns.set(JAVA_BYTE, at + INSN_JF_OFFSET, (byte) instructions[i][2]);
            insns.set(JAVA_INT, at + INSN_K_OFFSET, instructions[i][3]);
        }
        MemorySegment prog = arena.allocate(SIZE, 8);
        prog.set(JAVA_SHORT, LEN_OFFSET, (short) instructions.length);
        prog.set(ADDRESS, FILTER_OFFSET, insns);
        return prog;
    }
}
